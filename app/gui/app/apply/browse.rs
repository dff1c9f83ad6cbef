//! The browser: what is selected, walking and folding the tree, the filters and the
//! side panel's tab.

use super::super::LightboxApp;
use crate::gui::browser;
use crate::gui::command::{Command, Node, SeriesRef};

impl LightboxApp {
    /// Applies a browser command.
    pub(super) fn apply_browse(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::Select(node) => {
                if let Node::Series(r) = &node {
                    let other_study = self.viewports[self.active]
                        .series
                        .as_ref()
                        .is_none_or(|shown| shown.study_uid != r.study_uid);
                    if !(self.state.apply_hanging && other_study && self.apply_hanging(ctx, r)) {
                        self.viewports[self.active].show(r.clone());
                    }
                    self.collapsed.remove(&r.study_uid);
                }
                self.selected = Some(node);
                self.scroll_to_selected = true;
            }
            Command::StepNode(delta) => {
                if let Some(index) = self.index.clone() {
                    let rows = self.visible_rows(&index);
                    let from = self.selected_or_shown();
                    if let Some(node) = browser::step(&index, &rows, from.as_ref(), delta) {
                        self.apply(ctx, Command::Select(node));
                    }
                }
            }
            Command::SelectParent => match self.selected_or_shown() {
                Some(Node::Series(r)) => self.apply(ctx, Command::Select(Node::Study(r.study_uid))),
                Some(Node::Study(uid)) => {
                    self.collapsed.insert(uid);
                }
                None => {}
            },
            Command::SelectChild => {
                if let Some(Node::Study(uid)) = self.selected_or_shown() {
                    self.collapsed.remove(&uid);
                    let first = self
                        .index
                        .as_ref()
                        .and_then(|i| i.studies().find(|st| st.study_uid == uid))
                        .and_then(|st| st.series.first())
                        .map(|se| se.series_uid.clone());
                    if let Some(series_uid) = first {
                        self.apply(
                            ctx,
                            Command::Select(Node::Series(SeriesRef {
                                study_uid: uid,
                                series_uid,
                            })),
                        );
                    }
                }
            }
            Command::ToggleCollapsed(uid) => {
                if !self.collapsed.remove(&uid) {
                    self.collapsed.insert(uid);
                }
            }
            Command::SetBrowserFilter(text) => self.filter = text,
            Command::SetTagFilter(text) => self.tag_filter = text,
            Command::SetSideTab(tab) => self.side_tab = tab,
            other => super::misrouted("browse", &other),
        }
    }
}
