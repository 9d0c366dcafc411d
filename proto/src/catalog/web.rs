//! Words of the librarians' web dashboard, in Indonesian and English: one
//! file per dashboard page, all re-exported here so a page's handler says
//! `web::SIGN_IN` whichever file holds it. Report words stay in
//! `catalog::report`.

mod alerts;
mod audit;
mod faults;
mod frame;
mod health;
mod import;
mod members;
mod problems;
mod queue;
mod reports;
mod staff;
mod stations;
mod usage;

pub use alerts::*;
pub use audit::*;
pub use faults::*;
pub use frame::*;
pub use health::*;
pub use import::*;
pub use members::*;
pub use problems::*;
pub use queue::*;
pub use reports::*;
pub use staff::*;
pub use stations::*;
pub use usage::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_has_both_languages() {
        for text in [
            LOGIN_INTRO,
            SIGN_IN,
            ERR_CSRF,
            ACCOUNT_LOCKED,
            STATE_OFFLINE,
            IMPORT_REFUSED,
        ] {
            assert!(!text.id.is_empty() && !text.en.is_empty());
            assert_ne!(text.id, text.en);
        }
    }
}
