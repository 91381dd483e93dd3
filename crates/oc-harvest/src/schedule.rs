//! Scheduled runs inside `serve`: one cron job per enabled source with a
//! schedule (tokio-cron-scheduler). A run still going when its next tick
//! comes is not started twice ([`Harvester::run`] refuses); `after_run` is
//! called after each run (the server catches its index up).

use std::sync::Arc;

use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};

use crate::run::{Harvester, RunOptions};
use crate::sources::Source;

/// Starts the scheduler; returns it with the number of jobs.
pub async fn start(
    harvester: Arc<Harvester>,
    sources: &[Source],
    after_run: Arc<dyn Fn() + Send + Sync>,
) -> Result<(JobScheduler, usize), JobSchedulerError> {
    let sched = JobScheduler::new().await?;
    let mut n = 0;
    for s in sources.iter().filter(|s| s.enabled && !s.schedule.is_empty()) {
        let (h, src, done) = (harvester.clone(), Arc::new(s.clone()), after_run.clone());
        let job = Job::new_async(s.schedule.as_str(), move |_, _| {
            let (h, src, done) = (h.clone(), src.clone(), done.clone());
            Box::pin(async move {
                let report = h.run(&src, &RunOptions::default()).await;
                if !report.skipped {
                    done();
                }
            })
        })?;
        sched.add(job).await?;
        n += 1;
    }
    sched.start().await?;
    Ok((sched, n))
}
