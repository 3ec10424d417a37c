//! Whether input may have arrived on a client's socket since its last read,
//! known without a system call.
//!
//! A client polled every frame mostly finds nothing to read, and asking the
//! socket costs a system call each time (a `recv` peek, about 0.2 µs here),
//! which was most of an idle `poll()`. On Linux an io_uring multishot poll on
//! the socket makes the kernel append a completion to a ring in shared memory
//! on every arrival; checking that ring is a memory load. A server's peers do
//! not need this: the server learns their readiness with one `epoll_wait`.
//!
//! The rule that keeps it exact: a read is skipped only while the poll request
//! is known to be armed and no completion was posted since the last check,
//! and the caller checks before it reads. Any doubt (a completion, a poll the
//! kernel ended, an overflowing ring) means "read". Where io_uring is missing
//! or refused (old kernels, seccomp filters, other systems), [`InputSignal::new`]
//! returns `None` and the caller asks the socket as before.

/// What [`InputSignal::check`] learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Nothing arrived since the last check (given the socket was empty then).
    Nothing,
    /// Something may have arrived: read.
    Maybe,
    /// The signal no longer works; drop it and ask the socket instead.
    Unavailable,
}

#[cfg(all(target_os = "linux", target_endian = "little"))]
pub use ring::InputSignal;

#[cfg(not(all(target_os = "linux", target_endian = "little")))]
/// Not available on this platform: [`InputSignal::new`] always returns `None`.
pub struct InputSignal;

#[cfg(not(all(target_os = "linux", target_endian = "little")))]
impl InputSignal {
    /// Not available on this platform.
    pub fn new(_socket: &std::net::TcpStream) -> Option<Self> {
        None
    }

    /// Not available on this platform.
    pub fn check(&mut self) -> Arrival {
        Arrival::Unavailable
    }
}

#[cfg(all(target_os = "linux", target_endian = "little"))]
mod ring {
    use std::io;
    use std::net::TcpStream;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
    use std::ptr;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::Arrival;

    // From <linux/io_uring.h>.
    const IORING_OP_POLL_ADD: u8 = 6;
    const IORING_POLL_ADD_MULTI: u32 = 1;
    const IORING_CQE_F_MORE: u32 = 1 << 1;
    const IORING_SQ_CQ_OVERFLOW: u32 = 1 << 1;
    const IORING_ENTER_GETEVENTS: u32 = 1;
    const IORING_FEAT_SINGLE_MMAP: u32 = 1;
    const IORING_OFF_SQ_RING: i64 = 0;
    const IORING_OFF_CQ_RING: i64 = 0x800_0000;
    const IORING_OFF_SQES: i64 = 0x1000_0000;

    #[repr(C)]
    #[derive(Default)]
    struct SqringOffsets {
        head: u32,
        tail: u32,
        ring_mask: u32,
        ring_entries: u32,
        flags: u32,
        dropped: u32,
        array: u32,
        resv1: u32,
        user_addr: u64,
    }

    #[repr(C)]
    #[derive(Default)]
    struct CqringOffsets {
        head: u32,
        tail: u32,
        ring_mask: u32,
        ring_entries: u32,
        overflow: u32,
        cqes: u32,
        flags: u32,
        resv1: u32,
        user_addr: u64,
    }

    #[repr(C)]
    #[derive(Default)]
    struct Params {
        sq_entries: u32,
        cq_entries: u32,
        flags: u32,
        sq_thread_cpu: u32,
        sq_thread_idle: u32,
        features: u32,
        wq_fd: u32,
        resv: [u32; 3],
        sq_off: SqringOffsets,
        cq_off: CqringOffsets,
    }

    #[repr(C)]
    #[derive(Default)]
    struct Sqe {
        opcode: u8,
        flags: u8,
        ioprio: u16,
        fd: i32,
        off: u64,
        addr: u64,
        len: u32,
        poll32_events: u32,
        user_data: u64,
        buf_index: u16,
        personality: u16,
        splice_fd_in: i32,
        addr3: u64,
        pad: u64,
    }

    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Cqe {
        user_data: u64,
        res: i32,
        flags: u32,
    }

    const _: () = assert!(std::mem::size_of::<Params>() == 120);
    const _: () = assert!(std::mem::size_of::<Sqe>() == 64);
    const _: () = assert!(std::mem::size_of::<Cqe>() == 16);

    /// A shared mapping of the ring, unmapped on drop.
    struct Mapping {
        ptr: *mut u8,
        len: usize,
    }

    impl Mapping {
        fn new(fd: RawFd, len: usize, offset: i64) -> io::Result<Self> {
            // SAFETY: maps `len` bytes of the io_uring fd at a documented offset;
            // the result is checked before use.
            let ptr = unsafe {
                libc::mmap(
                    ptr::null_mut(),
                    len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_SHARED | libc::MAP_POPULATE,
                    fd,
                    offset,
                )
            };
            if ptr == libc::MAP_FAILED {
                return Err(io::Error::last_os_error());
            }
            Ok(Self {
                ptr: ptr.cast(),
                len,
            })
        }

        /// A pointer `offset` bytes into the mapping (offsets come from the kernel).
        fn at<T>(&self, offset: u32) -> *mut T {
            debug_assert!((offset as usize) + std::mem::size_of::<T>() <= self.len);
            // SAFETY: the kernel's offsets lie inside the mapping it sized.
            unsafe { self.ptr.add(offset as usize).cast() }
        }
    }

    impl Drop for Mapping {
        fn drop(&mut self) {
            // SAFETY: unmaps exactly what `new` mapped; nothing points into it afterwards.
            unsafe { libc::munmap(self.ptr.cast(), self.len) };
        }
    }

    /// A one-entry io_uring holding a multishot poll for input on one socket.
    pub struct InputSignal {
        sq_head: *const AtomicU32,
        sq_tail: *const AtomicU32,
        sq_flags: *const AtomicU32,
        sq_mask: u32,
        sq_array: *mut u32,
        sqes: *mut Sqe,
        cq_head: *const AtomicU32,
        cq_tail: *const AtomicU32,
        cq_mask: u32,
        cqes: *const Cqe,
        socket: RawFd,
        /// The kernel holds our poll request: every arrival posts a completion.
        armed: bool,
        // Field order: the mappings go before the ring's descriptor closes.
        _sq_ring: Mapping,
        _cq_ring: Option<Mapping>,
        _sqe_map: Mapping,
        ring: OwnedFd,
    }

    // SAFETY: the raw pointers point into mappings this value owns, and are only
    // used through `&mut self`; the kernel's side is synchronised by atomics.
    unsafe impl Send for InputSignal {}

    impl InputSignal {
        /// A signal for `socket`, or `None` where io_uring is unavailable.
        pub fn new(socket: &TcpStream) -> Option<Self> {
            let mut signal = Self::setup(socket.as_raw_fd()).ok()?;
            signal.arm().then_some(signal)
        }

        fn setup(socket: RawFd) -> io::Result<Self> {
            let mut params = Params::default();
            // SAFETY: a plain system call with a valid, zeroed parameter block.
            let fd = unsafe { libc::syscall(libc::SYS_io_uring_setup, 1u32, &mut params) };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: a new descriptor that nothing else owns.
            let ring = unsafe { OwnedFd::from_raw_fd(fd as RawFd) };
            let raw = ring.as_raw_fd();
            let sq_len = params.sq_off.array as usize + params.sq_entries as usize * 4;
            let cq_len = params.cq_off.cqes as usize
                + params.cq_entries as usize * std::mem::size_of::<Cqe>();
            let single = params.features & IORING_FEAT_SINGLE_MMAP != 0;
            let sq_ring = Mapping::new(
                raw,
                if single { sq_len.max(cq_len) } else { sq_len },
                IORING_OFF_SQ_RING,
            )?;
            let cq_ring = if single {
                None
            } else {
                Some(Mapping::new(raw, cq_len, IORING_OFF_CQ_RING)?)
            };
            let sqe_map = Mapping::new(
                raw,
                params.sq_entries as usize * std::mem::size_of::<Sqe>(),
                IORING_OFF_SQES,
            )?;
            let cq = cq_ring.as_ref().unwrap_or(&sq_ring);
            let (sq_off, cq_off) = (&params.sq_off, &params.cq_off);
            // SAFETY: the masks are plain u32 values inside the mappings.
            let (sq_mask, cq_mask) = unsafe {
                (
                    *sq_ring.at::<u32>(sq_off.ring_mask),
                    *cq.at::<u32>(cq_off.ring_mask),
                )
            };
            Ok(Self {
                sq_head: sq_ring.at(sq_off.head),
                sq_tail: sq_ring.at(sq_off.tail),
                sq_flags: sq_ring.at(sq_off.flags),
                sq_mask,
                sq_array: sq_ring.at(sq_off.array),
                sqes: sqe_map.ptr.cast(),
                cq_head: cq.at(cq_off.head),
                cq_tail: cq.at(cq_off.tail),
                cq_mask,
                cqes: cq.at(cq_off.cqes),
                socket,
                armed: false,
                _sq_ring: sq_ring,
                _cq_ring: cq_ring,
                _sqe_map: sqe_map,
                ring,
            })
        }

        /// Whether input may have arrived since the last check. Costs a memory
        /// load when nothing did; a system call only to re-arm the poll.
        pub fn check(&mut self) -> Arrival {
            // SAFETY (all derefs below): the pointers lie in our live mappings,
            // and the ring's shared indices are accessed atomically.
            let (cq_head, cq_tail, sq_flags) =
                unsafe { (&*self.cq_head, &*self.cq_tail, &*self.sq_flags) };
            let mut head = cq_head.load(Ordering::Relaxed);
            let tail = cq_tail.load(Ordering::Acquire);
            let overflow = sq_flags.load(Ordering::Relaxed) & IORING_SQ_CQ_OVERFLOW != 0;
            if head == tail && self.armed && !overflow {
                return Arrival::Nothing;
            }
            while head != tail {
                // SAFETY: entries between head and tail were written by the kernel.
                let cqe = unsafe { *self.cqes.add((head & self.cq_mask) as usize) };
                head = head.wrapping_add(1);
                if cqe.flags & IORING_CQE_F_MORE == 0 {
                    // The kernel ended the poll: re-arm, unless it refused it
                    // (e.g. a kernel without multishot polls says EINVAL).
                    self.armed = false;
                    if cqe.res < 0 && cqe.res != -libc::ECANCELED {
                        return Arrival::Unavailable;
                    }
                }
            }
            cq_head.store(head, Ordering::Release);
            if overflow {
                // Completions the ring had no room for wait in the kernel; fetch
                // them. Failing is harmless: this check already says "read".
                let _ = self.enter(0, IORING_ENTER_GETEVENTS);
            }
            if !self.armed && !self.arm() {
                return Arrival::Unavailable;
            }
            Arrival::Maybe
        }

        /// Submits the multishot poll (again); false if the kernel refuses it.
        fn arm(&mut self) -> bool {
            // SAFETY: see `check`; the submission slot is ours until the kernel
            // consumes it, which the head index tells.
            unsafe {
                let tail = (*self.sq_tail).load(Ordering::Relaxed);
                let head = (*self.sq_head).load(Ordering::Acquire);
                let mut pending = tail.wrapping_sub(head);
                if pending == 0 {
                    let index = tail & self.sq_mask;
                    self.sqes.add(index as usize).write(Sqe {
                        opcode: IORING_OP_POLL_ADD,
                        fd: self.socket,
                        len: IORING_POLL_ADD_MULTI,
                        poll32_events: (libc::POLLIN | libc::POLLRDHUP) as u32,
                        ..Sqe::default()
                    });
                    self.sq_array.add(index as usize).write(index);
                    (*self.sq_tail).store(tail.wrapping_add(1), Ordering::Release);
                    pending = 1;
                }
                match self.enter(pending, 0) {
                    Ok(n) if n as u32 == pending => {
                        self.armed = true;
                        true
                    }
                    // Busy or interrupted: the entry stays queued; try at the next check.
                    Ok(_) => true,
                    Err(e) => matches!(
                        e.raw_os_error(),
                        Some(libc::EINTR | libc::EAGAIN | libc::EBUSY)
                    ),
                }
            }
        }

        fn enter(&self, to_submit: u32, flags: u32) -> io::Result<i64> {
            // SAFETY: a plain system call on our ring; no signal mask is passed.
            let n = unsafe {
                libc::syscall(
                    libc::SYS_io_uring_enter,
                    self.ring.as_raw_fd(),
                    to_submit,
                    0u32,
                    flags,
                    ptr::null::<libc::sigset_t>(),
                    0usize,
                )
            };
            if n < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(n)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        client.set_nonblocking(true).unwrap();
        (client, server)
    }

    #[test]
    fn reports_every_arrival_and_nothing_else() {
        let (mut client, mut server) = pair();
        let Some(mut signal) = InputSignal::new(&client) else {
            eprintln!("io_uring unavailable here; the peek fallback is tested elsewhere");
            return;
        };
        let mut buf = [0u8; 64];
        for round in 0..100u8 {
            // Checked before reading, as the connection does.
            assert_eq!(
                signal.check(),
                Arrival::Nothing,
                "round {round}: no input yet"
            );
            server.write_all(&[round]).unwrap();
            // The socket may take a moment to show the bytes; the signal must not miss them.
            let mut seen = signal.check();
            for _ in 0..1000 {
                if seen != Arrival::Nothing {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
                seen = signal.check();
            }
            assert_eq!(seen, Arrival::Maybe, "round {round}: arrival reported");
            assert_eq!(client.read(&mut buf).unwrap(), 1);
            assert_eq!(buf[0], round);
        }
    }

    #[test]
    fn a_hang_up_counts_as_input() {
        let (client, server) = pair();
        let Some(mut signal) = InputSignal::new(&client) else {
            return;
        };
        assert_eq!(signal.check(), Arrival::Nothing);
        drop(server);
        let mut seen = Arrival::Nothing;
        for _ in 0..1000 {
            seen = signal.check();
            if seen != Arrival::Nothing {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(seen, Arrival::Maybe);
    }
}
