//! The small always-on-top countdown shown during a session.

use bilik_proto::catalog::{self, Lang, lock_screen as t};
use eframe::egui::{self, Color32, RichText};

use super::Shared;
use crate::session::SessionView;
use crate::ui::UiInput;

/// Draws the countdown; `warning` is the threshold just passed, if any;
/// `dragged` is set when the patron starts moving it (dragging its
/// background: the window manager moves the window). Returns the height
/// its content needs (the window follows it, so a warning and a message
/// never push the log-out button out of sight).
pub(super) fn show(
    ui: &mut egui::Ui,
    shared: &Shared,
    l: Lang,
    session: &SessionView,
    warning: Option<u32>,
    confirm_logout: &mut bool,
    dragged: &mut bool,
) -> f32 {
    let messages = shared.model().messages.clone();
    let left = session
        .deadline
        .into_std()
        .saturating_duration_since(std::time::Instant::now());
    let minutes = left.as_secs().div_ceil(60);
    egui::CentralPanel::default()
        .frame(egui::Frame::NONE.inner_margin(MARGIN))
        .show(ui, |ui| {
            // The background first: the widgets drawn over it keep their
            // clicks, a drag anywhere else moves the window.
            let background = ui.interact(
                ui.max_rect(),
                ui.scope_id().with("countdown-drag"),
                egui::Sense::drag(),
            );
            if background.drag_started() {
                *dragged = true;
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::StartDrag);
            }
            let name = if session.patron_name.is_empty() {
                catalog::GUEST.get(l).to_owned()
            } else {
                session.patron_name.clone()
            };
            ui.label(RichText::new(name).strong());
            let time = if left.as_secs() < 60 {
                t::UNDER_A_MINUTE.get(l).to_owned()
            } else {
                format!("{} {minutes}", t::MINUTES_LEFT.get(l))
            };
            ui.label(RichText::new(time).size(26.0));
            // Two distinct warnings: amber at the first threshold, red and
            // bold in the last minute.
            match warning {
                Some(minutes) if minutes <= 1 => {
                    ui.label(
                        RichText::new(catalog::LAST_MINUTE.get(l))
                            .strong()
                            .color(Color32::from_rgb(255, 110, 110)),
                    );
                }
                Some(_) => {
                    ui.label(
                        RichText::new(catalog::TIME_NEARLY_UP.get(l))
                            .color(Color32::from_rgb(255, 190, 90)),
                    );
                }
                None => {}
            }
            for (text, from) in &messages {
                ui.label(
                    RichText::new(format!("{} ({from}): {text}", t::MESSAGE_FROM.get(l)))
                        .color(Color32::LIGHT_BLUE),
                );
            }
            if !messages.is_empty() && ui.button(t::DISMISS.get(l)).clicked() {
                shared.model().messages.clear();
            }
            if *confirm_logout {
                ui.label(t::LOG_OUT_CONFIRM.get(l));
                ui.horizontal(|ui| {
                    if ui.button(t::YES.get(l)).clicked() {
                        *confirm_logout = false;
                        shared.send(UiInput::Logout);
                    }
                    if ui.button(t::NO.get(l)).clicked() {
                        *confirm_logout = false;
                    }
                });
            } else if ui.button(t::LOG_OUT.get(l)).clicked() {
                *confirm_logout = true;
            }
            // Where the next widget would go: the content's own height,
            // whatever the window's is now.
            ui.cursor().top() - ui.max_rect().top() + 2.0 * MARGIN
        })
        .inner
}

/// Space around the countdown's content.
const MARGIN: f32 = 12.0;
