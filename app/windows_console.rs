//! Command-line output from the GUI-subsystem `lightbox.exe` (Windows only).
//!
//! The Windows exe is built for the GUI subsystem so that starting the viewer from
//! Explorer, a shortcut or "Open with Lightbox" opens no console window. Such a process
//! gets no console: when `cmd` or PowerShell start it without redirection, its standard
//! handles are empty and every `println!` would vanish. So when the exe has arguments
//! (a verb, or a folder) and lacks a standard output or error handle, it attaches to the
//! console of the process that started it, if there is one, and points the missing
//! handles at it. Handles that were inherited (redirected to a file or pipe, as CI and
//! scripts do) are kept as they are. The shell does not wait for a GUI program, so the
//! packages also ship `lightbox.com`, a console-subsystem twin of this exe, which `cmd`
//! and PowerShell prefer when the user types `lightbox` (see packaging/README.md).

use std::ffi::c_void;
use std::ptr;

type Handle = *mut c_void;

const STD_OUTPUT_HANDLE: u32 = -11_i32 as u32;
const STD_ERROR_HANDLE: u32 = -12_i32 as u32;
const ATTACH_PARENT_PROCESS: u32 = u32::MAX;
const INVALID_HANDLE_VALUE: Handle = -1_isize as Handle;
const GENERIC_READ_WRITE: u32 = 0x8000_0000 | 0x4000_0000;
const FILE_SHARE_READ_WRITE: u32 = 0x1 | 0x2;
const OPEN_EXISTING: u32 = 3;

#[link(name = "kernel32")]
unsafe extern "system" {
    fn GetStdHandle(std_handle: u32) -> Handle;
    fn SetStdHandle(std_handle: u32, handle: Handle) -> i32;
    fn AttachConsole(process_id: u32) -> i32;
    fn CreateFileW(
        file_name: *const u16,
        desired_access: u32,
        share_mode: u32,
        security_attributes: *mut c_void,
        creation_disposition: u32,
        flags_and_attributes: u32,
        template_file: Handle,
    ) -> Handle;
}

/// When started with arguments and without a standard output or error handle, attaches
/// to the parent's console (if any) so that CLI verbs print there; otherwise does nothing.
pub fn attach_parent_console_for_cli() {
    if std::env::args_os().len() <= 1 {
        return;
    }
    // SAFETY: plain Win32 calls with valid arguments; handles are only compared and stored.
    unsafe {
        let out = GetStdHandle(STD_OUTPUT_HANDLE);
        let err = GetStdHandle(STD_ERROR_HANDLE);
        if usable(out) && usable(err) {
            return;
        }
        if AttachConsole(ATTACH_PARENT_PROCESS) == 0 {
            return; // started from Explorer or a shortcut: there is no console to use
        }
        for (id, inherited) in [(STD_OUTPUT_HANDLE, out), (STD_ERROR_HANDLE, err)] {
            let handle = if usable(inherited) {
                inherited
            } else {
                console_output()
            };
            if usable(handle) {
                SetStdHandle(id, handle);
            }
        }
    }
}

/// Whether a standard handle refers to something (not null, not INVALID_HANDLE_VALUE).
fn usable(handle: Handle) -> bool {
    !handle.is_null() && handle != INVALID_HANDLE_VALUE
}

/// Opens the attached console's screen buffer (`CONOUT$`).
unsafe fn console_output() -> Handle {
    let name: Vec<u16> = "CONOUT$\0".encode_utf16().collect();
    // SAFETY: `name` is a NUL-terminated UTF-16 string that outlives the call.
    unsafe {
        CreateFileW(
            name.as_ptr(),
            GENERIC_READ_WRITE,
            FILE_SHARE_READ_WRITE,
            ptr::null_mut(),
            OPEN_EXISTING,
            0,
            ptr::null_mut(),
        )
    }
}
