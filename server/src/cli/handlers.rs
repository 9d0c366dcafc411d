//! One function per command group: build the request, call the server,
//! print the answer (through `print`).

use super::client::Signed;
use super::print;
use super::{CliError, MemberCommand, QueueCommand, ReportCommand, StationCommand};
use bilik_proto::v1::*;
use std::path::PathBuf;

/// `sessions`: the usage log, one line per session.
pub(super) async fn sessions(
    s: &mut Signed,
    from: Option<String>,
    to: Option<String>,
    station: Option<String>,
    card: Option<String>,
) -> Result<(), CliError> {
    let req = s.req(QuerySessionsRequest {
        from_date: from.unwrap_or_default(),
        to_date: to.unwrap_or_default(),
        station: station.unwrap_or_default(),
        card: card.unwrap_or_default(),
        limit: 0,
    })?;
    for session in s.client.query_sessions(req).await?.into_inner().sessions {
        print::session(&s.time, &session);
    }
    Ok(())
}

/// `queue add|list|remove`: the waiting queue, printed after each change.
pub(super) async fn queue(s: &mut Signed, cmd: QueueCommand) -> Result<(), CliError> {
    let info = match cmd {
        QueueCommand::Add { card } => {
            let req = s.req(AddToQueueRequest { card })?;
            s.client.add_to_queue(req).await?.into_inner()
        }
        QueueCommand::List => {
            let req = s.req(ListQueueRequest {})?;
            s.client.list_queue(req).await?.into_inner()
        }
        QueueCommand::Remove { card } => {
            let req = s.req(RemoveFromQueueRequest { card })?;
            s.client.remove_from_queue(req).await?.into_inner()
        }
    };
    if info.entries.is_empty() {
        println!("the queue is empty");
    }
    for entry in &info.entries {
        print::queue_entry(&s.time, entry);
    }
    Ok(())
}

/// `staff-add`: creates a staff account.
pub(super) async fn staff_add(
    s: &mut Signed,
    username: String,
    role: &str,
    display_name: String,
    nip: String,
    new_password: String,
) -> Result<(), CliError> {
    let role = Role::from_str_name(&format!("ROLE_{}", role.to_ascii_uppercase()))
        .ok_or_else(|| CliError::Usage("role: librarian, section_head or admin".into()))?;
    let req = s.req(CreateStaffRequest {
        username,
        password: new_password,
        role: role as i32,
        display_name,
        nip,
    })?;
    let info = s.client.create_staff(req).await?.into_inner();
    println!("created {} ({})", info.username, role.as_str_name());
    Ok(())
}

/// Downloads a backup into `out` (through `out.tmp`, synced, then renamed)
/// and checks its checksum before saying it is there.
pub(super) async fn backup(s: &mut Signed, out: &std::path::Path) -> Result<(), CliError> {
    use tokio::io::AsyncWriteExt;
    let req = s.req(BackupRequest {})?;
    let mut stream = s.client.backup(req).await?.into_inner();
    let tmp = out.with_extension("tmp");
    let write_err = |source| CliError::Write {
        path: out.to_owned(),
        source,
    };
    let mut file = tokio::fs::File::create(&tmp).await.map_err(write_err)?;
    let mut first: Option<BackupChunk> = None;
    while let Some(chunk) = stream.message().await? {
        file.write_all(&chunk.data).await.map_err(write_err)?;
        if first.is_none() {
            first = Some(BackupChunk {
                data: Vec::new(),
                ..chunk
            });
        }
    }
    file.sync_all().await.map_err(write_err)?;
    drop(file);
    let info = first.unwrap_or_default();
    let verified =
        crate::store::backup::verify_backup(&tmp).map_err(|e| CliError::Invalid(e.to_string()))?;
    if !info.sha256.is_empty() && verified != info.sha256 {
        return Err(CliError::Invalid(
            "the copy differs from the server's backup".into(),
        ));
    }
    tokio::fs::rename(&tmp, out).await.map_err(write_err)?;
    println!(
        "backup {} ({} records, {} bytes, sha256 {verified}) saved to {}",
        info.file_name,
        info.records,
        info.size,
        out.display()
    );
    Ok(())
}

/// `member ...`: imports, adds, shows, searches, blocks.
pub(super) async fn member(s: &mut Signed, cmd: MemberCommand) -> Result<(), CliError> {
    match cmd {
        MemberCommand::Import { file, lang } => {
            let content = std::fs::read(&file).map_err(|source| CliError::Read {
                path: file.clone(),
                source,
            })?;
            let req = s.req(ImportMembersRequest {
                // The server tells SLiMS' CSV from INLISLite's workbook.
                format: ImportFormat::Unspecified as i32,
                content,
                lang: lang.unwrap_or_else(operator_lang),
            })?;
            let r = s.client.import_members(req).await?.into_inner();
            println!(
                "imported {}: {} new, {} updated",
                file.display(),
                r.created,
                r.updated
            );
        }
        MemberCommand::Add {
            card,
            name,
            expires,
            category,
            pin,
        } => {
            let member = Member {
                card,
                name,
                expires,
                category,
                pin,
                ..Default::default()
            };
            let req = s.req(UpsertMemberRequest {
                member: Some(member),
            })?;
            print::member(&s.client.upsert_member(req).await?.into_inner());
        }
        MemberCommand::Show { card } => {
            let req = s.req(GetMemberRequest { card })?;
            print::member(&s.client.get_member(req).await?.into_inner());
        }
        MemberCommand::Search { query } => {
            let req = s.req(SearchMembersRequest {
                query,
                limit: 50,
                offset: 0,
            })?;
            let found = s.client.search_members(req).await?.into_inner();
            for m in &found.members {
                print::member(m);
            }
            if found.total > found.members.len() as u64 {
                println!("({} of {} shown)", found.members.len(), found.total);
            }
        }
        MemberCommand::Block { card } => {
            let req = s.req(SetMemberStatusRequest {
                card,
                status: MemberStatus::Blocked as i32,
            })?;
            print::member(&s.client.set_member_status(req).await?.into_inner());
        }
        MemberCommand::Unblock { card } => {
            let req = s.req(SetMemberStatusRequest {
                card,
                status: MemberStatus::Active as i32,
            })?;
            print::member(&s.client.set_member_status(req).await?.into_inner());
        }
    }
    Ok(())
}

/// `station ...`: lists and steers stations.
pub(super) async fn station(s: &mut Signed, cmd: StationCommand) -> Result<(), CliError> {
    match cmd {
        StationCommand::List => {
            let req = s.req(ListStationsRequest {})?;
            for st in s.client.list_stations(req).await?.into_inner().stations {
                print::station(&st);
            }
        }
        StationCommand::Unlock {
            station,
            card,
            guest,
            minutes,
        } => {
            let who = match (card, guest) {
                (Some(card), _) => unlock_station_request::Who::Card(card),
                (None, Some(note)) => unlock_station_request::Who::GuestNote(note),
                (None, None) => return Err(CliError::Usage("give --card or --guest".into())),
            };
            let req = s.req(UnlockStationRequest {
                station,
                who: Some(who),
                minutes,
                purpose: String::new(),
            })?;
            print::session(&s.time, &s.client.unlock_station(req).await?.into_inner());
        }
        StationCommand::End { station } => {
            let req = s.req(EndSessionRequest { station })?;
            print::session(&s.time, &s.client.end_session(req).await?.into_inner());
        }
        StationCommand::Extend { station, minutes } => {
            let req = s.req(ExtendSessionRequest { station, minutes })?;
            print::session(&s.time, &s.client.extend_session(req).await?.into_inner());
        }
        StationCommand::Message { station, text } => {
            let req = s.req(SendMessageRequest { station, text })?;
            let r = s.client.send_message(req).await?.into_inner();
            println!(
                "{}",
                if r.delivered {
                    "delivered"
                } else {
                    "not delivered (station offline)"
                }
            );
        }
        StationCommand::Maintenance { station, state } => {
            let on = match state.as_str() {
                "on" => true,
                "off" => false,
                _ => return Err(CliError::Usage("maintenance: on or off".into())),
            };
            let req = s.req(SetMaintenanceRequest { station, on })?;
            let st = s.client.set_maintenance(req).await?.into_inner();
            println!(
                "{}: maintenance {}",
                st.name,
                if st.maintenance { "on" } else { "off" }
            );
        }
        StationCommand::EnrollCode { name } => {
            let req = s.req(CreateEnrollmentCodeRequest {
                station_name: name,
                valid_minutes: 0,
            })?;
            let code = s.client.create_enrollment_code(req).await?.into_inner();
            println!("{}", code.code);
        }
    }
    Ok(())
}

fn report_format(text: &str) -> Result<ReportFormat, CliError> {
    Ok(match text {
        "text" => ReportFormat::Text,
        "json" => ReportFormat::Json,
        "csv" => ReportFormat::Csv,
        "xlsx" => ReportFormat::Xlsx,
        "pdf" => ReportFormat::Pdf,
        other => {
            return Err(CliError::Usage(format!(
                "format: text, csv, xlsx, pdf or json, not {other:?}"
            )));
        }
    })
}

fn deliver(file: &ReportFile, output: Option<PathBuf>) -> Result<(), CliError> {
    match output {
        Some(path) => {
            std::fs::write(&path, &file.content).map_err(|source| CliError::Write {
                path: path.clone(),
                source,
            })?;
            println!("wrote {} ({} bytes)", path.display(), file.content.len());
            if let Some(signed) = &file.signed {
                println!("signed by {} (SHA-256 {})", signed.signer, signed.sha256);
            }
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout();
            out.write_all(&file.content)
                .and_then(|()| out.flush())
                .map_err(|source| CliError::Write {
                    path: PathBuf::from("-"),
                    source,
                })?;
        }
    }
    Ok(())
}

/// `report ...`: exports, signs, shows the public key.
pub(super) async fn report(s: &mut Signed, cmd: ReportCommand) -> Result<(), CliError> {
    match cmd {
        ReportCommand::Daily {
            date,
            format,
            output,
            lang,
        } => {
            let req = s.req(DailyRecapRequest {
                date: date.unwrap_or_default(),
                format: report_format(&format)? as i32,
                lang,
            })?;
            deliver(&s.client.daily_recap(req).await?.into_inner(), output)
        }
        ReportCommand::Monthly {
            month,
            format,
            output,
            lang,
        } => {
            let req = s.req(MonthlyReportRequest {
                month,
                format: report_format(&format)? as i32,
                lang,
            })?;
            deliver(&s.client.monthly_report(req).await?.into_inner(), output)
        }
        ReportCommand::Sign { month, prepared_by } => {
            let req = s.req(SignMonthlyReportRequest { month, prepared_by })?;
            let info = s.client.sign_monthly_report(req).await?.into_inner();
            println!(
                "signed {} by {}; SHA-256 {}; key {}",
                info.month, info.signer, info.sha256, info.public_key
            );
            Ok(())
        }
        ReportCommand::Verify { file, public_key } => {
            println!("{}", super::verify_file(&file, public_key.as_deref())?);
            Ok(())
        }
        ReportCommand::PublicKey => {
            let req = s.req(ReportPublicKeyRequest {})?;
            println!(
                "{}",
                s.client
                    .report_public_key(req)
                    .await?
                    .into_inner()
                    .public_key
            );
            Ok(())
        }
    }
}

/// The operator's language from the locale (`LC_ALL`, `LC_MESSAGES`,
/// `LANG`, the first one set, as POSIX orders them): "id" when it is
/// Indonesian, "en" otherwise (the command line's own language).
fn operator_lang() -> String {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .unwrap_or_default();
    if locale.to_ascii_lowercase().starts_with("id") {
        "id".to_owned()
    } else {
        "en".to_owned()
    }
}
