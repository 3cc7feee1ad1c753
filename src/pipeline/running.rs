//! The pipeline running: a recorder for the adapters, the worker applying the inbox, the
//! sender delivering the outbox (and looking at it every second for rows it was not handed),
//! and the search index following the place tree.
//! Old rows are purged with the rest of what is kept only for a while
//! ([`crate::storage::retention`]). Stops cleanly: no new rounds, the outbox
//! flushed, within the time given.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use super::recorder::Recorder;
use super::sender::{BulkRates, Sender};
use super::worker::{DownloadLimits, Worker, IDLE_POLL};
use super::Channel;
use crate::engine::Engine;
use crate::ops::metrics::Metrics;

/// How often the sender looks at the outbox for rows nobody handed it.
const OUTBOX_POLL: Duration = Duration::from_secs(1);
/// How often, by default, the place tree's version is compared with the search index's: one
/// small read.
const UNITS_POLL: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// This replica's name in the inbox and outbox claims. Replicas on one database need
    /// different names; a replica restarted under its name takes its rows back at once.
    pub owner: String,
    /// Another replica's events and messages are taken over once they waited this long (that
    /// replica is taken to be gone). A live replica renews its claims while it retries.
    pub takeover_after: Duration,
    /// How often the place tree's version is compared with the search index's.
    pub units_poll: Duration,
    /// How many files users send are downloaded at once, and how long one may take.
    pub downloads: DownloadLimits,
    /// Messages per second of the bulk lane (announcements), per channel.
    pub bulk_rates: BulkRates,
}

impl Default for PipelineOptions {
    fn default() -> PipelineOptions {
        PipelineOptions {
            owner: default_owner(),
            takeover_after: Duration::from_secs(15),
            units_poll: UNITS_POLL,
            downloads: DownloadLimits::default(),
            bulk_rates: BulkRates::default(),
        }
    }
}

impl PipelineOptions {
    /// The defaults under another replica name.
    pub fn named(owner: impl Into<String>) -> PipelineOptions {
        PipelineOptions {
            owner: owner.into(),
            ..PipelineOptions::default()
        }
    }
}

/// The host's name: stable across restarts of a service, different between machines.
pub fn default_owner() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "cnscd".to_owned())
}

/// A running pipeline. Dropped, its tasks stop at once (as a killed replica's would); call
/// [`Pipeline::shutdown`] to stop cleanly.
pub struct Pipeline {
    recorder: Recorder,
    sender: Sender,
    stop: watch::Sender<bool>,
    working: Option<JoinHandle<()>>,
    background: Vec<JoinHandle<()>>,
}

impl Pipeline {
    pub fn start(
        engine: Engine,
        channels: Vec<Arc<dyn Channel>>,
        metrics: Metrics,
        options: PipelineOptions,
    ) -> Pipeline {
        let wake = Arc::new(Notify::new());
        let (recorder, recording) = Recorder::start(
            engine.store().clone(),
            options.owner.clone(),
            Arc::clone(&wake),
        );
        let sender = Sender::start_pacing(
            engine.clone(),
            options.owner.clone(),
            channels.clone(),
            metrics.clone(),
            options.bulk_rates,
        )
        .taking_over_after(options.takeover_after);
        let worker = Worker::new(engine.clone(), options.owner, channels.clone(), metrics)
            .taking_over_after(options.takeover_after)
            .downloading(options.downloads, Arc::clone(&wake));
        let (stop, stopping) = watch::channel(false);
        let working = tokio::spawn(work(worker, sender.clone(), wake, stopping));
        let background = vec![
            recording,
            tokio::spawn(poll_outbox(sender.clone())),
            tokio::spawn(follow_units(engine, options.units_poll)),
        ];
        Pipeline {
            recorder,
            sender,
            stop,
            working: Some(working),
            background,
        }
    }

    /// Where adapters record what arrives.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// Finishes the round in hand, then delivers the replies queued and the announcements'
    /// messages already on their way, within `timeout` in all. Events still in the inbox and
    /// messages still in the outbox (the rest of an announcement) wait for the next start.
    pub async fn shutdown(mut self, timeout: Duration) {
        let deadline = tokio::time::Instant::now() + timeout;
        let _ = self.stop.send(true);
        if let Some(working) = self.working.take() {
            if tokio::time::timeout_at(deadline, working).await.is_err() {
                tracing::warn!("the round in hand did not finish in time");
            }
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if !self.sender.flush_replies(left).await {
            tracing::warn!(
                unsent = self.sender.backlog(),
                "stopping with messages unsent; they go out on the next start"
            );
        }
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        if let Some(working) = &self.working {
            working.abort();
        }
        for task in &self.background {
            task.abort();
        }
    }
}

/// Rounds as long as there is work; between them, sleeps until woken or [`IDLE_POLL`]. Once
/// asked to stop, finishes what is ready (events recorded before the channels stopped) and
/// returns.
async fn work(
    worker: Worker,
    sender: Sender,
    wake: Arc<Notify>,
    mut stopping: watch::Receiver<bool>,
) {
    // What the last run left unsent goes first: a reply of a new step must not reach a chat
    // before an older one that waited in the outbox.
    while let Err(error) = sender.take_back_outbox().await {
        tracing::warn!(%error, "could not read the outbox; trying again");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    loop {
        let stop = *stopping.borrow();
        let idle = match worker.run_round().await {
            Ok(round) => {
                let idle = round.events == 0;
                sender.push(round.queued);
                idle
            }
            Err(error) => {
                tracing::error!(%error, "an inbox round failed; trying again");
                true
            }
        };
        if stop && idle {
            return;
        }
        if idle {
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(IDLE_POLL) => {}
                _ = stopping.changed() => {}
            }
        }
    }
}

async fn poll_outbox(sender: Sender) {
    loop {
        if let Err(error) = sender.poll_outbox().await {
            tracing::warn!(%error, "could not read the outbox; trying again");
        }
        tokio::time::sleep(OUTBOX_POLL).await;
    }
}

/// Keeps the place index in step with the database: an import or a reorganisation run by
/// `cnscd` beside this process, or another replica's edit, shows in searches within
/// `every` (5 seconds by default), without a restart.
async fn follow_units(engine: Engine, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        match engine.reload_index_if_units_changed().await {
            Ok(true) => tracing::info!("the place tree changed: the search index was rebuilt"),
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "could not check the place tree; trying again"),
        }
    }
}
