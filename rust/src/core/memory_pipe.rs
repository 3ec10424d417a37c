//! An in-memory byte pipe, for TLS handshakes that never touch a socket: the
//! identity check of `tls::acceptor` and the chain probe.

/// One end of an in-memory byte pipe; reads would block while nothing is queued.
#[derive(Debug)]
pub(crate) struct MemoryPipe {
    incoming: std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<u8>>>,
    outgoing: std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<u8>>>,
}

impl MemoryPipe {
    /// Two connected ends: what one writes, the other reads.
    pub(crate) fn pair() -> (Self, Self) {
        let a = std::rc::Rc::default();
        let b = std::rc::Rc::default();
        (
            Self {
                incoming: std::rc::Rc::clone(&a),
                outgoing: std::rc::Rc::clone(&b),
            },
            Self {
                incoming: b,
                outgoing: a,
            },
        )
    }
}

impl std::io::Read for MemoryPipe {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut queue = self.incoming.borrow_mut();
        if queue.is_empty() {
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(queue.len());
        for (slot, byte) in buf.iter_mut().zip(queue.drain(..n)) {
            *slot = byte;
        }
        Ok(n)
    }
}

impl std::io::Write for MemoryPipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.outgoing.borrow_mut().extend(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
