//! Server CPU time from /proc: utime + stime of each process, in milliseconds.

pub fn cpu_ms(pids: &[u32]) -> f64 {
    pids.iter().map(|p| one(*p).unwrap_or(0.0)).sum()
}

/// The PIDs a shell command prints, one a line.
pub fn pids_from(cmd: &str) -> Result<Vec<u32>, String> {
    let out = std::process::Command::new("sh")
        .args(["-c", cmd])
        .output()
        .map_err(|e| format!("--pids-cmd: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "--pids-cmd failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.parse()
                .map_err(|_| format!("--pids-cmd printed {l:?}, not a PID"))
        })
        .collect()
}

fn one(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces: count from after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // Fields 14 and 15 of stat(5); `rest` starts at field 3.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 1000.0 / ticks_per_second())
}

fn ticks_per_second() -> f64 {
    std::env::var("CLK_TCK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100.0)
}

/// Busy CPU time of the whole machine (user, nice, system, irq, softirq), in ms.
pub fn machine_busy_ms() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return 0.0;
    };
    let Some(cpu) = stat.lines().next() else {
        return 0.0;
    };
    let f: Vec<f64> = cpu
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq …
    let busy = [0, 1, 2, 5, 6]
        .iter()
        .map(|i| f.get(*i).copied().unwrap_or(0.0))
        .sum::<f64>();
    busy * 1000.0 / ticks_per_second()
}

/// CPU time of this process (the load generator), in ms.
pub fn self_cpu_ms() -> f64 {
    cpu_ms(&[std::process::id()])
}
