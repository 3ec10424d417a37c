//! Client ids: random, so a client cannot guess another's, as Godot does.

/// A random id in 2..=2^31-1 for which `taken` is false.
pub fn random_id(mut taken: impl FnMut(i32) -> bool) -> i32 {
    loop {
        // Negative ids mean "all but" in routing, 0 is everyone and 1 the server.
        let id = (rand::random::<u32>() & 0x7fff_ffff) as i32;
        if id >= 2 && !taken(id) {
            return id;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_in_range_unique_and_spread() {
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let id = random_id(|id| seen.contains(&id));
            assert!(id >= 2);
            assert!(seen.insert(id), "{id} given twice");
        }
        // Random over 2^31 values: ten thousand of them are not all small.
        assert!(seen.iter().any(|&id| id > 1 << 30));
    }

    #[test]
    fn a_taken_id_is_never_returned() {
        let mut calls = 0;
        let id = random_id(|_| {
            calls += 1;
            calls < 50
        });
        assert!(id >= 2);
        assert_eq!(calls, 50);
    }
}
