//! Every keystroke of a card scan reaches the card field, whatever widget
//! the patron clicked before (the rules tick box, a purpose, the language
//! button), and both scanner suffixes submit: CR (Enter, or Ctrl+M) and LF
//! (Ctrl+J, which is how a keyboard-wedge scanner types a line feed).
//!
//! [`route`] runs on the frame's raw input before egui sees it: while a
//! text field of the form has the focus it only turns the Ctrl+J/Ctrl+M
//! suffixes into a submit; otherwise printable characters are taken out of
//! the input and appended to the card number, and the Enter that ends such
//! a scan submits instead of pressing whatever button has the focus.

use eframe::egui::{self, Event, Key};

/// The card field's widget id.
pub(super) const CARD_ID: &str = "bilik-card";
/// The PIN field's widget id.
pub(super) const PIN_ID: &str = "bilik-pin";

/// What [`route`] took out of a frame's input.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Routed {
    /// Characters for the end of the card field.
    pub card: String,
    /// A scan suffix arrived: submit the form.
    pub submit: bool,
}

/// Whether `event` is a CR/LF suffix typed as Ctrl+M or Ctrl+J.
fn control_suffix(event: &Event) -> bool {
    matches!(
        event,
        Event::Key { key: Key::J | Key::M, pressed: true, modifiers, .. }
            if modifiers.ctrl && !modifiers.alt
    )
}

/// Routes `events` (see the module docs). `text_focused`: the card or PIN
/// field has the focus; `pending`: characters were routed to the card on
/// an earlier frame and the field has not taken the focus yet (kept by the
/// caller between frames).
pub(super) fn route(events: &mut Vec<Event>, text_focused: bool, pending: &mut bool) -> Routed {
    if text_focused {
        *pending = false;
    }
    let mut routed = Routed::default();
    events.retain(|event| {
        if control_suffix(event) {
            routed.submit = true;
            return false;
        }
        if text_focused {
            return true;
        }
        match event {
            Event::Text(text) => {
                let printable: String = text
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect();
                if printable.is_empty() {
                    return true;
                }
                routed.card.push_str(&printable);
                *pending = true;
                false
            }
            Event::Key {
                key: Key::Enter,
                pressed: true,
                ..
            } if *pending => {
                routed.submit = true;
                false
            }
            Event::Key {
                key: Key::Enter,
                pressed: false,
                ..
            } if *pending || routed.submit => false,
            _ => true,
        }
    });
    if routed.submit {
        *pending = false;
    }
    routed
}

/// Whether the card or the PIN field has the focus.
pub(super) fn text_focused(ctx: &egui::Context) -> bool {
    let focused = ctx.memory(|m| m.focused());
    focused == Some(egui::Id::unique(CARD_ID)) || focused == Some(egui::Id::unique(PIN_ID))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: Key, pressed: bool, modifiers: egui::Modifiers) -> Event {
        Event::Key {
            key,
            physical_key: None,
            pressed,
            repeat: false,
            modifiers,
        }
    }

    #[test]
    fn a_scan_after_a_click_goes_to_the_card_and_submits() {
        let mut pending = false;
        let mut events = vec![
            Event::Text("10".into()),
            key(Key::Num1, true, egui::Modifiers::NONE),
        ];
        let r = route(&mut events, false, &mut pending);
        assert_eq!(r.card, "10");
        assert!(!r.submit);
        assert!(pending);
        assert_eq!(events.len(), 1, "the key press stays");
        // The next frame, focus not moved yet: the rest and Enter.
        let mut events = vec![
            Event::Text("01".into()),
            key(Key::Enter, true, egui::Modifiers::NONE),
            key(Key::Enter, false, egui::Modifiers::NONE),
        ];
        let r = route(&mut events, false, &mut pending);
        assert_eq!(r.card, "01");
        assert!(r.submit);
        assert!(events.is_empty(), "{events:?}");
        assert!(!pending);
    }

    #[test]
    fn space_and_enter_still_work_on_the_focused_widget() {
        let mut pending = false;
        let mut events = vec![
            Event::Text(" ".into()),
            key(Key::Space, true, egui::Modifiers::NONE),
            key(Key::Enter, true, egui::Modifiers::NONE),
        ];
        let r = route(&mut events, false, &mut pending);
        assert_eq!(r, Routed::default());
        assert_eq!(events.len(), 3);
    }

    #[test]
    fn lf_and_cr_as_control_keys_submit_from_the_card_field() {
        for suffix in [Key::J, Key::M] {
            let mut pending = true;
            let mut events = vec![
                Event::Text("1001".into()),
                key(suffix, true, egui::Modifiers::CTRL),
            ];
            let r = route(&mut events, true, &mut pending);
            assert!(r.submit);
            assert_eq!(r.card, "", "the focused field takes the text itself");
            assert_eq!(events, vec![Event::Text("1001".into())]);
            assert!(!pending);
        }
    }
}
