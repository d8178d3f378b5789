//! The threads that run Argon2id. As many as the cores, each at the lowest scheduling
//! class (SCHED_IDLE on Linux, nice 10 elsewhere), so a storm of login attempts takes
//! only the CPU that token, discovery and page requests leave over: they preempt the
//! hashing and keep their latency. Each thread keeps its Argon2 memory (19 MiB at the defaults) between hashes
//! instead of allocating and faulting it in every time (measured: 12.4 ms a hash instead
//! of 15.2 ms here), and gives it back after a minute without work.

use argon2::Block;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

/// How long an idle thread keeps its memory.
const KEEP_MEMORY: Duration = Duration::from_secs(60);
/// Where SCHED_IDLE is missing, the niceness of a hashing thread (0 is normal, 19 the
/// lowest; thread-priority maps its 0–99 scale linearly onto -20..19, so 22 is nice 10).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const PRIORITY: u8 = 22;

type Job = Box<dyn FnOnce(&mut Memory) + Send>;

/// A hashing thread's reusable Argon2 memory.
#[derive(Default)]
pub struct Memory(Vec<Block>);

impl Memory {
    /// `blocks` blocks of memory (the previous ones if the size is the same).
    pub fn blocks(&mut self, blocks: usize) -> &mut [Block] {
        if self.0.len() != blocks {
            self.0 = Vec::new();
            self.0.resize(blocks, Block::default());
        }
        &mut self.0
    }
}

pub struct HashPool {
    jobs: flume::Sender<Job>,
}

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("starting a hashing thread: {0}")]
    Spawn(std::io::Error),
    #[error("the hashing threads are gone")]
    Gone,
}

impl HashPool {
    /// Start `threads` hashing threads; they end when the pool is dropped.
    pub fn new(threads: usize) -> Result<Self, PoolError> {
        let (jobs, queue) = flume::unbounded::<Job>();
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .stack_size(256 * 1024)
                .spawn(move || work(&queue))
                .map_err(PoolError::Spawn)?;
        }
        Ok(Self { jobs })
    }

    /// Run `f` on a hashing thread with that thread's memory; waits in line.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, PoolError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = tx.send(f(memory));
        });
        self.jobs.send(job).map_err(|_| PoolError::Gone)?;
        rx.await.map_err(|_| PoolError::Gone)
    }
}

fn work(queue: &flume::Receiver<Job>) {
    if let Err(e) = lower_priority() {
        tracing::warn!(error = %e, "could not lower the priority of a hashing thread");
    }
    let mut memory = Memory::default();
    loop {
        match queue.recv_timeout(KEEP_MEMORY) {
            Ok(job) => {
                // A panicking job (none is expected) drops its answer; the thread and
                // its place in the pool stay.
                if catch_unwind(AssertUnwindSafe(|| job(&mut memory))).is_err() {
                    memory = Memory::default();
                }
            }
            Err(flume::RecvTimeoutError::Timeout) => memory = Memory::default(),
            Err(flume::RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// On Linux, SCHED_IDLE: the thread runs only on a core nothing else wants, and a
/// request that wakes up takes the core at once. Nice 10 was not enough: the kernel
/// lets a running task finish its time slice (EEVDF's run-to-parity), so a token
/// request waited up to a few milliseconds behind a hash (p99 1.0 → 4.3 ms in a login
/// storm, `bench/results/2026-12-02T1017Z.md`). The price: on a machine saturated by
/// other requests, logins wait for them; a login storm can no longer slow the rest.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn lower_priority() -> Result<(), String> {
    use thread_priority::unix::{
        NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy,
        thread_native_id,
    };
    set_thread_priority_and_policy(
        thread_native_id(),
        thread_priority::ThreadPriority::Min,
        ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle),
    )
    .map_err(|e| format!("{e:?}"))
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn lower_priority() -> Result<(), String> {
    let value =
        thread_priority::ThreadPriorityValue::try_from(PRIORITY).map_err(|e| e.to_string())?;
    thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Crossplatform(
        value,
    ))
    .map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This thread's scheduling policy: field 41 of /proc/thread-self/stat
    /// (5 is SCHED_IDLE).
    fn own_policy() -> i64 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        after.split(' ').nth(38).unwrap().parse().unwrap()
    }

    #[tokio::test]
    async fn jobs_run_on_low_priority_threads_that_keep_their_memory() {
        let pool = HashPool::new(1).unwrap();
        let (policy, first) = pool
            .run(|m| (own_policy(), m.blocks(8).as_ptr() as usize))
            .await
            .unwrap();
        assert_eq!(policy, 5, "SCHED_IDLE");
        let again = pool.run(|m| m.blocks(8).as_ptr() as usize).await.unwrap();
        assert_eq!(first, again, "the same memory is used again");
        assert_eq!(pool.run(|m| m.blocks(4).len()).await.unwrap(), 4);
    }
}
