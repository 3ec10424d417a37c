//! Soak run: `cargo run --release --example soak -- [clients] [messages] [window] [time_limit_s]`
//! (defaults 1000 1000 16 600). Every client sends numbered messages through
//! one echoing server and checks each echo; prints the counts, the time and
//! the peak RSS, and exits 1 on any loss, duplicate, reordering, corruption or
//! unclean close. `ci/soak.sh` runs it.

#[path = "../tests/support/soak/mod.rs"]
mod soak;

use std::time::Duration;

fn arg(args: &[String], i: usize, default: u32) -> u32 {
    match args.get(i) {
        None => default,
        Some(s) => s.parse().unwrap_or_else(|_| {
            eprintln!("argument {i} (\"{s}\") is not a non-negative number");
            eprintln!("usage: soak [clients] [messages] [window] [time_limit_s]");
            std::process::exit(2);
        }),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut settings =
        soak::Settings::new(arg(&args, 0, 1000), arg(&args, 1, 1000), arg(&args, 2, 16));
    settings.time_limit = Duration::from_secs(u64::from(arg(&args, 3, 600)));
    settings.progress = true;
    eprintln!(
        "soak: {} clients x {} messages, window {}, time limit {} s",
        settings.clients,
        settings.messages,
        settings.window,
        settings.time_limit.as_secs()
    );
    let report = soak::run(&settings);
    println!("{report}");
    if !report.passed() {
        std::process::exit(1);
    }
}
