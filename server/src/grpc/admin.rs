//! `bilik.v1.Admin`: what staff tools call (the CLI, grpcurl, integrations).

use super::{bearer, import_status};
use crate::app::{App, Error, StaffIdentity};
use bilik_proto::catalog::Lang;
use bilik_proto::v1::admin_server::Admin;
use bilik_proto::v1::*;
use std::pin::Pin;
use tokio_stream::{Stream, StreamExt};
use tonic::{Request, Response, Status};

/// The Admin service.
#[derive(Debug, Clone)]
pub struct AdminService {
    /// The use cases.
    app: App,
}

impl AdminService {
    /// A service over `app`.
    pub fn new(app: App) -> AdminService {
        AdminService { app }
    }

    fn staff<T>(&self, req: &Request<T>) -> Result<StaffIdentity, Status> {
        Ok(self.app.staff_identity(&bearer(req)?)?)
    }
}

type UpdateStream = Pin<Box<dyn Stream<Item = Result<StationsUpdate, Status>> + Send>>;

fn enum_value<E: TryFrom<i32>>(raw: i32, field: &str) -> Result<E, Status> {
    // The value is not named back: an error never echoes its input.
    E::try_from(raw).map_err(|_| Status::invalid_argument(format!("{field}: not a known value")))
}

#[tonic::async_trait]
impl Admin for AdminService {
    async fn sign_in(
        &self,
        req: Request<SignInRequest>,
    ) -> Result<Response<SignInResponse>, Status> {
        let source = super::source(&req);
        let r = req.get_ref();
        Ok(Response::new(
            self.app.sign_in(&r.username, &r.password, &source).await?,
        ))
    }

    async fn sign_out(
        &self,
        req: Request<SignOutRequest>,
    ) -> Result<Response<SignOutResponse>, Status> {
        self.app.sign_out(&bearer(&req)?);
        Ok(Response::new(SignOutResponse {}))
    }

    async fn list_stations(
        &self,
        req: Request<ListStationsRequest>,
    ) -> Result<Response<ListStationsResponse>, Status> {
        self.staff(&req)?;
        let stations = self.app.station_infos().await?;
        Ok(Response::new(ListStationsResponse { stations }))
    }

    type WatchStationsStream = UpdateStream;

    async fn watch_stations(
        &self,
        req: Request<WatchStationsRequest>,
    ) -> Result<Response<UpdateStream>, Status> {
        self.staff(&req)?;
        let stream = self
            .app
            .watch_stations()
            .into_stream()
            .map(|update| update.map_err(Status::from));
        Ok(Response::new(Box::pin(stream)))
    }

    async fn unlock_station(
        &self,
        req: Request<UnlockStationRequest>,
    ) -> Result<Response<SessionInfo>, Status> {
        let who = self.staff(&req)?;
        let r = req.get_ref();
        let info = self
            .app
            .unlock_station(&who, &r.station, r.who.as_ref(), r.minutes, &r.purpose)
            .await?;
        Ok(Response::new(info))
    }

    async fn end_session(
        &self,
        req: Request<EndSessionRequest>,
    ) -> Result<Response<SessionInfo>, Status> {
        let who = self.staff(&req)?;
        Ok(Response::new(
            self.app
                .end_station_session(&who, &req.get_ref().station)
                .await?,
        ))
    }

    async fn extend_session(
        &self,
        req: Request<ExtendSessionRequest>,
    ) -> Result<Response<SessionInfo>, Status> {
        let who = self.staff(&req)?;
        let r = req.get_ref();
        Ok(Response::new(
            self.app
                .extend_station_session(&who, &r.station, r.minutes)
                .await?,
        ))
    }

    async fn send_message(
        &self,
        req: Request<SendMessageRequest>,
    ) -> Result<Response<SendMessageResponse>, Status> {
        let who = self.staff(&req)?;
        let r = req.get_ref();
        let delivered = self.app.message_station(&who, &r.station, &r.text).await?;
        Ok(Response::new(SendMessageResponse { delivered }))
    }

    async fn set_maintenance(
        &self,
        req: Request<SetMaintenanceRequest>,
    ) -> Result<Response<StationInfo>, Status> {
        let who = self.staff(&req)?;
        let r = req.get_ref();
        Ok(Response::new(
            self.app.set_maintenance(&who, &r.station, r.on).await?,
        ))
    }

    async fn add_to_queue(
        &self,
        req: Request<AddToQueueRequest>,
    ) -> Result<Response<QueueInfo>, Status> {
        let who = self.staff(&req)?;
        Ok(Response::new(
            self.app.queue_add(&who, &req.get_ref().card).await?,
        ))
    }

    async fn remove_from_queue(
        &self,
        req: Request<RemoveFromQueueRequest>,
    ) -> Result<Response<QueueInfo>, Status> {
        let who = self.staff(&req)?;
        Ok(Response::new(
            self.app.queue_remove(&who, &req.get_ref().card).await?,
        ))
    }

    async fn list_queue(
        &self,
        req: Request<ListQueueRequest>,
    ) -> Result<Response<QueueInfo>, Status> {
        self.staff(&req)?;
        Ok(Response::new(self.app.queue_info().await?))
    }

    async fn power_station(
        &self,
        req: Request<PowerStationRequest>,
    ) -> Result<Response<PowerStationResponse>, Status> {
        let who = self.staff(&req)?;
        let r = req.get_ref();
        let action = enum_value(r.action, "action")?;
        let delivered = self.app.power_station(&who, &r.station, action).await?;
        Ok(Response::new(PowerStationResponse { delivered }))
    }

    async fn create_enrollment_code(
        &self,
        req: Request<CreateEnrollmentCodeRequest>,
    ) -> Result<Response<EnrollmentCode>, Status> {
        let who = self.staff(&req)?;
        let r = req.get_ref();
        Ok(Response::new(
            self.app
                .create_enrollment_code(&who, &r.station_name, r.valid_minutes)
                .await?,
        ))
    }

    async fn upsert_member(
        &self,
        req: Request<UpsertMemberRequest>,
    ) -> Result<Response<Member>, Status> {
        let who = self.staff(&req)?;
        let member = req
            .get_ref()
            .member
            .as_ref()
            .ok_or_else(|| Status::invalid_argument("member: required"))?;
        Ok(Response::new(self.app.upsert_member(&who, member).await?))
    }

    async fn get_member(&self, req: Request<GetMemberRequest>) -> Result<Response<Member>, Status> {
        self.staff(&req)?;
        Ok(Response::new(self.app.get_member(&req.get_ref().card)?))
    }

    async fn search_members(
        &self,
        req: Request<SearchMembersRequest>,
    ) -> Result<Response<SearchMembersResponse>, Status> {
        self.staff(&req)?;
        let r = req.get_ref();
        let page = self.app.search_members(&r.query, r.offset, r.limit)?;
        Ok(Response::new(SearchMembersResponse {
            members: page.members,
            total: page.total,
        }))
    }

    async fn set_member_status(
        &self,
        req: Request<SetMemberStatusRequest>,
    ) -> Result<Response<Member>, Status> {
        let who = self.staff(&req)?;
        let r = req.get_ref();
        let status = enum_value(r.status, "status")?;
        Ok(Response::new(
            self.app.set_member_status(&who, &r.card, status).await?,
        ))
    }

    async fn import_members(
        &self,
        req: Request<ImportMembersRequest>,
    ) -> Result<Response<ImportMembersResponse>, Status> {
        let who = self.staff(&req)?;
        let r = req.get_ref();
        let format = enum_value(r.format, "format")?;
        let lang = Lang::parse(&r.lang).unwrap_or(Lang::En);
        match self.app.import_members(&who, format, &r.content).await {
            Ok(done) => Ok(Response::new(done)),
            Err(Error::Import(errors)) => Err(import_status(&errors, lang)),
            Err(other) => Err(other.into()),
        }
    }

    async fn query_sessions(
        &self,
        req: Request<QuerySessionsRequest>,
    ) -> Result<Response<QuerySessionsResponse>, Status> {
        self.staff(&req)?;
        let sessions = self.app.query_sessions(req.get_ref())?;
        Ok(Response::new(QuerySessionsResponse { sessions }))
    }

    async fn daily_recap(
        &self,
        req: Request<DailyRecapRequest>,
    ) -> Result<Response<ReportFile>, Status> {
        self.staff(&req)?;
        let r = req.into_inner();
        let (format, lang) = (enum_value(r.format, "format")?, lang(&r.lang)?);
        let file = self
            .app
            .off_runtime(move |app| app.export_daily(&r.date, format, lang))
            .await?;
        Ok(Response::new(file))
    }

    async fn monthly_report(
        &self,
        req: Request<MonthlyReportRequest>,
    ) -> Result<Response<ReportFile>, Status> {
        let who = self.staff(&req)?;
        let r = req.into_inner();
        let (format, lang) = (enum_value(r.format, "format")?, lang(&r.lang)?);
        let file = self
            .app
            .off_runtime(move |app| app.export_monthly(&who, &r.month, format, lang))
            .await?;
        Ok(Response::new(file))
    }

    async fn sign_monthly_report(
        &self,
        req: Request<SignMonthlyReportRequest>,
    ) -> Result<Response<SignedReportInfo>, Status> {
        let who = self.staff(&req)?;
        Ok(Response::new(
            self.app
                .sign_monthly_report(&who, &req.get_ref().month, &req.get_ref().prepared_by)
                .await?,
        ))
    }

    async fn report_public_key(
        &self,
        req: Request<ReportPublicKeyRequest>,
    ) -> Result<Response<ReportPublicKeyResponse>, Status> {
        self.staff(&req)?;
        Ok(Response::new(ReportPublicKeyResponse {
            public_key: self.app.report_public_key()?,
        }))
    }

    async fn audit_log(
        &self,
        req: Request<AuditLogRequest>,
    ) -> Result<Response<AuditLogResponse>, Status> {
        let who = self.staff(&req)?;
        let (entries, chain_intact) = self.app.audit_log_for(&who, req.get_ref().limit)?;
        Ok(Response::new(AuditLogResponse {
            entries,
            chain_intact,
        }))
    }

    async fn create_staff(
        &self,
        req: Request<CreateStaffRequest>,
    ) -> Result<Response<StaffInfo>, Status> {
        let who = self.staff(&req)?;
        let r = req.get_ref();
        // An unknown role is refused by the app, after it checks who asks.
        let role = Role::try_from(r.role).unwrap_or(Role::Unspecified);
        Ok(Response::new(
            self.app
                .create_staff(
                    &who,
                    &r.username,
                    &r.password,
                    role,
                    &r.display_name,
                    &r.nip,
                )
                .await?,
        ))
    }

    type BackupStream = BackupStream;

    async fn backup(&self, req: Request<BackupRequest>) -> Result<Response<BackupStream>, Status> {
        let who = self.staff(&req)?;
        let (path, summary) = self.app.backup_now(Some(&who)).await?;
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(|e| Status::internal(format!("cannot read the backup back: {e}")))?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let mut file = file;
            let mut first = Some(BackupChunk {
                data: Vec::new(),
                file_name,
                size: summary.bytes,
                sha256: summary.sha256,
                records: summary.records,
            });
            loop {
                let mut data = vec![0u8; BACKUP_CHUNK];
                let n = match file.read(&mut data).await {
                    Ok(n) => n,
                    Err(e) => {
                        let _ = tx
                            .send(Err(Status::internal(format!("backup read: {e}"))))
                            .await;
                        return;
                    }
                };
                data.truncate(n);
                let mut chunk = first.take().unwrap_or_default();
                chunk.data = data;
                let last = n == 0;
                if (!last || !chunk.file_name.is_empty()) && tx.send(Ok(chunk)).await.is_err() {
                    return; // the client went away
                }
                if last {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        )))
    }
}

/// Bytes per backup chunk (well under gRPC's 4 MiB message limit).
const BACKUP_CHUNK: usize = 1 << 20;

type BackupStream = Pin<Box<dyn Stream<Item = Result<BackupChunk, Status>> + Send>>;

fn lang(code: &str) -> Result<bilik_proto::catalog::Lang, Status> {
    match code.trim() {
        "" => Ok(bilik_proto::catalog::Lang::Id),
        other => bilik_proto::catalog::Lang::parse(other)
            .ok_or_else(|| Status::invalid_argument("lang: \"id\" or \"en\"")),
    }
}
