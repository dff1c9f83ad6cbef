; Lightbox per-user installer (NSIS 3). Built by packaging/windows/build.sh, which runs
;   makensis -NOCD -DVERSION=x.y.z -DSUBSYSTEM_OFFSET=n -DOUTFILE=... -DFILES=install.nsh
;            -DUNFILES=uninstall.nsh -DICON=... lightbox.nsi
; from the staged package folder (the same files as the portable zip).
;
; No administrator rights: everything goes under the user's own profile and HKCU.
;   files        %LOCALAPPDATA%\Programs\Lightbox\ (the zip's files + uninstall.exe)
;   Start menu   %APPDATA%\Microsoft\Windows\Start Menu\Programs\Lightbox.lnk
;   folders      HKCU\Software\Classes\Directory\shell\Lightbox ("Open with Lightbox")
;   Add/Remove   HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Lightbox
; The uninstaller removes exactly those (file by file, from the generated list) and
; never touches %APPDATA%\Lightbox (project stores, viewer settings), the index cache in
; %LOCALAPPDATA%\lightbox, or anything inside a release. Both accept /S (silent).

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user
ManifestDPIAware true

!include "MUI2.nsh"
!include "FileFunc.nsh"

!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Lightbox"
!define VERB_KEY "Software\Classes\Directory\shell\Lightbox"

Name "Lightbox ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Lightbox"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
BrandingText "Lightbox ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "Lightbox"
VIAddVersionKey "CompanyName" "Lightbox"
VIAddVersionKey "FileDescription" "Lightbox ${VERSION} setup (per user, no administrator rights)"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "Lightbox contributors; MIT OR Apache-2.0"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\lightbox.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Open Lightbox on the bundled sample release"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Section "Lightbox"
  SetShellVarContext current
  !include "${FILES}"
  ; lightbox.com, the console twin (packaging/README.md), is lightbox.exe with the PE
  ; Subsystem field set from 2 (GUI) to 3 (console): made here so the setup carries the
  ; program once. check.sh checks it is byte-identical to the zip's.
  CopyFiles /SILENT "$INSTDIR\lightbox.exe" "$INSTDIR\lightbox.com"
  FileOpen $0 "$INSTDIR\lightbox.com" a
  FileSeek $0 ${SUBSYSTEM_OFFSET} SET
  FileWriteByte $0 3
  FileClose $0
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; "Start in" the install folder, so that the viewer opens the bundled sample-data\.
  SetOutPath "$INSTDIR"
  CreateShortcut "$SMPROGRAMS\Lightbox.lnk" "$INSTDIR\lightbox.exe" "" "$INSTDIR\lightbox.exe" 0 \
    SW_SHOWNORMAL "" "Review and annotate de-identified DICOM releases"

  WriteRegStr HKCU "${VERB_KEY}" "" "Open with Lightbox"
  WriteRegStr HKCU "${VERB_KEY}" "Icon" '"$INSTDIR\lightbox.exe",0'
  WriteRegStr HKCU "${VERB_KEY}\command" "" '"$INSTDIR\lightbox.exe" "%1"'

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "Lightbox"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "Lightbox"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" '"$INSTDIR\lightbox.exe",0'
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  !include "${UNFILES}"
  Delete "$INSTDIR\lightbox.com"
  Delete "$SMPROGRAMS\Lightbox.lnk"
  DeleteRegKey HKCU "${VERB_KEY}"
  DeleteRegKey HKCU "${UNINST_KEY}"
  Delete "$INSTDIR\uninstall.exe"
  ; Not /r: a folder the user filled (a review of the installed sample) stays.
  RMDir "$INSTDIR"
SectionEnd
