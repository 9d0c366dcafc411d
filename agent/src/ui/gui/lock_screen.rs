//! The full-screen lock screen: library and station, clock, card (and PIN)
//! field, house rules with their tick box, purposes, refusal messages; or
//! the out-of-service screen.

use std::time::Instant;

use bilik_proto::catalog::{self, Lang, Text, lock_screen as t};
use eframe::egui::{self, Color32, RichText};

use super::Shared;
use crate::link::LinkState;
use crate::ui::UiInput;

/// What the patron has typed and ticked on the lock screen.
#[derive(Debug, Default)]
pub(super) struct Form {
    /// The card field.
    pub card: String,
    /// The PIN field.
    pub pin: String,
    /// The house-rules tick box.
    pub rules: bool,
    /// The index of the purpose picked.
    pub purpose: usize,
    /// A hint to show (what is still missing).
    pub hint: Option<Text>,
    /// Focus the card field on the next frame.
    pub focus_card: bool,
    /// Focus the rules tick box on the next frame.
    pub focus_rules: bool,
    /// Focus the PIN field on the next frame.
    pub focus_pin: bool,
    /// A login was sent and no answer came yet.
    pub checking: bool,
    /// A scan's characters went to the card field while another widget had
    /// the focus (its Enter then submits).
    pub scan_pending: bool,
    /// A scan's suffix arrived: submit on this frame.
    pub submit_scan: bool,
    /// A session ended at: "your session has ended" shows for a while.
    pub session_ended: Option<Instant>,
}

/// The colour of refusals and warnings.
/// The lock screen's background (the window's clear colour and the covers').
pub(super) const BACKGROUND: Color32 = Color32::from_rgb(13, 31, 56);

const ALERT: Color32 = Color32::from_rgb(255, 190, 90);

/// How long "your session has ended" shows on the lock screen.
const SESSION_ENDED_FOR: std::time::Duration = std::time::Duration::from_secs(8);

/// Draws the lock screen (`maintenance`: the out-of-service one).
pub(super) fn show(
    ui: &mut egui::Ui,
    shared: &Shared,
    lang: &mut Lang,
    form: &mut Form,
    maintenance: bool,
    logo: Option<&egui::TextureHandle>,
) {
    let (library, station) = names(shared, *lang);
    let (link, settings, refusal, hold) = {
        let m = shared.model();
        (
            m.link.clone(),
            m.settings.clone().unwrap_or_default(),
            m.refusal.clone(),
            m.hold.clone(),
        )
    };
    let l = *lang;
    egui::CentralPanel::default()
        .frame(egui::Frame::NONE.inner_margin(32.0))
        .show(ui, |ui| {
            header(ui, lang, &library, &station, logo);
            ui.separator();
            if maintenance {
                ui.add_space(80.0);
                ui.vertical_centered(|ui| {
                    ui.label(
                        RichText::new(t::OUT_OF_SERVICE.get(l))
                            .size(40.0)
                            .color(ALERT),
                    );
                    ui.add_space(16.0);
                    ui.label(RichText::new(t::OUT_OF_SERVICE_DETAIL.get(l)).size(24.0));
                });
                return;
            }
            if !matches!(link, Some(LinkState::Connected { .. })) && link.is_some() {
                ui.label(
                    RichText::new(t::SERVER_UNREACHABLE.get(l))
                        .size(22.0)
                        .color(ALERT),
                );
            }
            if let Some((name, minutes)) = &hold {
                ui.label(
                    RichText::new(format!("{} {name}", t::RESERVED_FOR.get(l)))
                        .size(32.0)
                        .strong()
                        .color(Color32::from_rgb(255, 210, 90)),
                );
                ui.label(
                    RichText::new(format!("{} {minutes}", t::RESERVED_DETAIL.get(l))).size(20.0),
                );
            }
            ui.add_space(12.0);
            let purposes: Vec<String> = if settings.purposes.is_empty() {
                catalog::DEFAULT_PURPOSES
                    .iter()
                    .map(|p| (*p).to_owned())
                    .collect()
            } else {
                settings.purposes.clone()
            };
            let rules = rules_in(&settings, l);
            ui.columns(2, |cols| {
                login_column(
                    &mut cols[0],
                    shared,
                    l,
                    form,
                    &settings.pin_required,
                    &purposes,
                    refusal,
                );
                cols[1].heading(t::RULES_HEADING.get(l));
                egui::ScrollArea::vertical()
                    .id_salt("rules")
                    .max_height(420.0)
                    .show(&mut cols[1], |ui| {
                        // Readable: large, near-white on the dark background.
                        ui.label(
                            RichText::new(rules)
                                .size(22.0)
                                .color(Color32::from_gray(240)),
                        )
                    });
            });
        });
}

/// The title row: library and station on the left; clock, date and the
/// language switch on the right.
fn header(
    ui: &mut egui::Ui,
    lang: &mut Lang,
    library: &str,
    station: &str,
    logo: Option<&egui::TextureHandle>,
) {
    let l = *lang;
    ui.columns(2, |cols| {
        cols[0].horizontal(|ui| {
            if let Some(logo) = logo {
                // At most LOGO_HEIGHT high (and 3 times as wide), its
                // proportions kept.
                let size = logo.size_vec2();
                let scale = (LOGO_HEIGHT / size.y)
                    .min(3.0 * LOGO_HEIGHT / size.x)
                    .min(1.0);
                ui.add(egui::Image::new((logo.id(), size * scale)));
                ui.add_space(16.0);
            }
            ui.vertical(|ui| {
                ui.label(RichText::new(library).size(36.0).strong());
                if !station.is_empty() {
                    ui.label(RichText::new(format!("{} {station}", t::STATION.get(l))).size(22.0));
                }
            });
        });
        cols[1].with_layout(egui::Layout::top_down(egui::Align::Max), |ui| {
            let now = chrono::Local::now();
            ui.label(
                RichText::new(now.format("%H:%M:%S").to_string())
                    .size(36.0)
                    .monospace(),
            );
            ui.label(RichText::new(now.format("%d-%m-%Y").to_string()).size(20.0));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Min), |ui| {
                ui.selectable_value(lang, Lang::En, "English");
                ui.selectable_value(lang, Lang::Id, "Indonesia");
                ui.label(t::LANGUAGE.get(l));
            });
        });
    });
}

/// The logo's height at most, in points.
const LOGO_HEIGHT: f32 = 96.0;

/// The house rules in `lang`: the English text when there is one, else the
/// library's own text, else (no text from the server) the default rules.
fn rules_in(settings: &bilik_proto::v1::Settings, lang: Lang) -> String {
    let given = match lang {
        Lang::En if !settings.rules_text_en.trim().is_empty() => &settings.rules_text_en,
        _ => &settings.rules_text,
    };
    if given.trim().is_empty() {
        catalog::DEFAULT_RULES.get(lang).to_owned()
    } else {
        given.clone()
    }
}

/// The library's name (from the server's settings, else the catalogue's
/// "Library") and the station's name.
fn names(shared: &Shared, lang: Lang) -> (String, String) {
    let m = shared.model();
    let library = m
        .settings
        .as_ref()
        .map(|s| s.library_name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| t::LIBRARY_FALLBACK.get(lang).to_owned());
    (library, m.station_name.clone())
}

/// What a monitor other than the lock screen's shows while locked: the
/// library and station, and where to sign in (or that the station is out
/// of service). It takes no input: the pointer is held on the lock window.
pub(super) fn cover(ui: &mut egui::Ui, shared: &Shared, lang: Lang, maintenance: bool) {
    let (library, station) = names(shared, lang);
    egui::CentralPanel::default()
        .frame(egui::Frame::NONE.fill(BACKGROUND).inner_margin(32.0))
        .show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.add_space(ui.available_height() / 3.0);
                ui.label(RichText::new(library).size(36.0).strong());
                if !station.is_empty() {
                    ui.label(
                        RichText::new(format!("{} {station}", t::STATION.get(lang))).size(22.0),
                    );
                }
                ui.add_space(24.0);
                let text = if maintenance {
                    RichText::new(t::OUT_OF_SERVICE.get(lang)).color(ALERT)
                } else {
                    RichText::new(t::COVER.get(lang))
                };
                ui.label(text.size(28.0));
            });
        });
}

/// The card, PIN, tick box, purposes, button and messages.
fn login_column(
    ui: &mut egui::Ui,
    shared: &Shared,
    l: Lang,
    form: &mut Form,
    pin_required: &bool,
    purposes: &[String],
    refusal: Option<crate::ui::Refusal>,
) {
    let pin_required = *pin_required;
    ui.label(RichText::new(t::CARD_LABEL.get(l)).size(22.0));
    let card = ui.add(
        egui::TextEdit::singleline(&mut form.card)
            .id(egui::Id::unique(super::scan::CARD_ID))
            .desired_width(360.0)
            .font(egui::TextStyle::Heading),
    );
    if std::mem::take(&mut form.focus_card) {
        card.request_focus();
        // Typing goes on at the end (a scan routed here while another
        // widget had the focus is followed by its last digits).
        let end = egui::text::CCursor::new(form.card.chars().count());
        let mut state = egui::text_edit::TextEditState::load(ui.ctx(), card.id).unwrap_or_default();
        state
            .cursor
            .set_char_range(Some(egui::text::CCursorRange::one(end)));
        state.store(ui.ctx(), card.id);
    }
    let mut submit = card.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    submit |= std::mem::take(&mut form.submit_scan);
    if pin_required {
        ui.label(t::PIN_LABEL.get(l));
        let pin = ui.add(
            egui::TextEdit::singleline(&mut form.pin)
                .id(egui::Id::unique(super::scan::PIN_ID))
                .password(true)
                .desired_width(200.0),
        );
        if std::mem::take(&mut form.focus_pin) {
            pin.request_focus();
        }
        submit |= pin.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    }
    ui.add_space(12.0);
    let rules = ui.checkbox(
        &mut form.rules,
        RichText::new(t::RULES_TICK.get(l)).size(22.0),
    );
    if rules.changed() && form.hint == Some(t::TICK_RULES_FIRST) {
        form.hint = None;
    }
    if std::mem::take(&mut form.focus_rules) {
        rules.request_focus();
    }
    ui.add_space(12.0);
    ui.label(RichText::new(t::PURPOSE_HEADING.get(l)).strong());
    if form.purpose >= purposes.len() {
        form.purpose = 0;
    }
    for (i, purpose) in purposes.iter().enumerate() {
        ui.radio_value(
            &mut form.purpose,
            i,
            RichText::new(catalog::purpose(purpose, l)).size(22.0),
        );
    }
    ui.add_space(12.0);
    submit |= ui
        .add_sized(
            [200.0, 48.0],
            egui::Button::new(RichText::new(t::SUBMIT.get(l)).size(24.0)),
        )
        .clicked();
    if submit {
        try_submit(shared, form, pin_required, purposes);
    }
    ui.add_space(12.0);
    let message: Option<(&str, bool)> = if form.checking {
        Some((t::CHECKING.get(l), false))
    } else if let Some(hint) = form.hint {
        Some((hint.get(l), false))
    } else if let Some(refusal) = &refusal {
        Some((refusal.text(l), true))
    } else {
        // Under the form, where it moves nothing: the last patron's session
        // is over (the next patron reads it too: no harm).
        form.session_ended
            .filter(|at| at.elapsed() < SESSION_ENDED_FOR)
            .map(|_| (t::SESSION_ENDED.get(l), true))
    };
    if let Some((text, alert)) = message {
        let color = if alert { ALERT } else { Color32::LIGHT_BLUE };
        ui.label(RichText::new(text).size(24.0).color(color));
    }
}

/// Sends the login if everything is there, else says what is missing and
/// focuses it.
fn try_submit(shared: &Shared, form: &mut Form, pin_required: bool, purposes: &[String]) {
    let card = form.card.trim().to_owned();
    if card.is_empty() {
        form.hint = Some(t::ENTER_CARD);
        form.focus_card = true;
        return;
    }
    if pin_required && form.pin.is_empty() {
        form.hint = Some(t::ENTER_PIN);
        form.focus_pin = true;
        return;
    }
    if !form.rules {
        tracing::info!("lock screen: card entered, asks for the house rules");
        form.hint = Some(t::TICK_RULES_FIRST);
        form.focus_rules = true;
        return;
    }
    form.hint = None;
    form.checking = true;
    let purpose = purposes.get(form.purpose).cloned().unwrap_or_default();
    tracing::info!(%purpose, "lock screen: card presented");
    shared.send(UiInput::Login {
        card,
        pin: std::mem::take(&mut form.pin),
        purpose,
        rules_accepted: form.rules,
    });
    form.card.clear();
    form.focus_card = true;
}

#[cfg(test)]
mod tests {
    use super::*;
    use bilik_proto::v1::Settings;

    #[test]
    fn rules_in_the_patrons_language() {
        let both = Settings {
            rules_text: "Dilarang makan.".into(),
            rules_text_en: "No food.".into(),
            ..Settings::default()
        };
        assert_eq!(rules_in(&both, Lang::Id), "Dilarang makan.");
        assert_eq!(rules_in(&both, Lang::En), "No food.");
        let own = Settings {
            rules_text: "Dilarang makan.".into(),
            ..Settings::default()
        };
        assert_eq!(rules_in(&own, Lang::En), "Dilarang makan.");
        let none = Settings::default();
        assert_eq!(rules_in(&none, Lang::En), catalog::DEFAULT_RULES.en);
        assert_eq!(rules_in(&none, Lang::Id), catalog::DEFAULT_RULES.id);
    }
}
