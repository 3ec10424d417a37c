//! 100 clients × 100 messages through one echoing server, every echo checked:
//! the small version of `ci/soak.sh`, so the suite catches loss, duplication,
//! reordering or corruption under many concurrent connections.

#[path = "support/soak/mod.rs"]
mod soak;

#[test]
fn hundred_clients_hundred_messages() {
    let mut settings = soak::Settings::new(100, 100, 16);
    // Far above the few seconds it takes; only there so a hang fails instead of blocking CI.
    settings.time_limit = std::time::Duration::from_secs(120);
    let report = soak::run(&settings);
    println!("{report}");
    assert!(report.passed(), "soak found anomalies:\n{report}");
    assert_eq!(report.echoed, 100 * 100);
}

#[test]
fn messages_rebuild_exactly() {
    // The checker is only as good as its message builder: distinct numbers
    // must give distinct bytes, and the header must round-trip.
    let mut a = Vec::new();
    let mut b = Vec::new();
    for seq in 0..600 {
        let text = soak::build_message(7, seq, &mut a);
        assert_eq!(soak::parse_header(&a), Some((7, seq)));
        if text {
            assert!(std::str::from_utf8(&a).is_ok());
        }
        soak::build_message(8, seq, &mut b);
        assert_ne!(a, b);
    }
    soak::build_message(1, 249, &mut a);
    assert!(a.len() > 65_535, "some messages need a 64-bit length field");
}
