//! Which sockets have input, learned in one system call, so a server's poll
//! costs what arrived rather than how many peers it has.

use std::io;

/// A socket the [`Poller`] can watch.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub trait Watchable: std::os::fd::AsRawFd {}
#[cfg(any(target_os = "linux", target_os = "android"))]
impl<T: std::os::fd::AsRawFd> Watchable for T {}
/// A socket the [`Poller`] can watch.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub trait Watchable {}
#[cfg(not(any(target_os = "linux", target_os = "android")))]
impl<T> Watchable for T {}

/// Which sockets have input, learned in one system call: a level-triggered
/// epoll set on Linux and Android. Elsewhere [`Poller::new`] fails and the
/// owner polls every socket instead.
pub struct Poller {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    epoll: std::os::fd::OwnedFd,
}

/// Most sockets [`Poller::ready`] lists per call.
pub const READY_PER_CALL: usize = 1024;

#[cfg(any(target_os = "linux", target_os = "android"))]
impl Poller {
    /// An empty set.
    pub fn new() -> io::Result<Self> {
        use std::os::fd::FromRawFd;
        // SAFETY: a plain system call; a non-negative result is a new descriptor we own.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just created and nothing else owns it.
        let epoll = unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) };
        Ok(Self { epoll })
    }

    /// Reports input (or a hang-up) on `socket` under `key` until [`Poller::delete`].
    pub fn add(&self, socket: &impl Watchable, key: u64) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLRDHUP) as u32,
            u64: key,
        };
        self.control(libc::EPOLL_CTL_ADD, socket, &mut event)
    }

    /// Stops watching `socket`; must happen before the socket is closed.
    pub fn delete(&self, socket: &impl Watchable) {
        let mut event = libc::epoll_event { events: 0, u64: 0 };
        let _ = self.control(libc::EPOLL_CTL_DEL, socket, &mut event);
    }

    /// Appends to `keys` the keys of the sockets with input now, without
    /// waiting. `Ok(false)` when more were ready than one call lists.
    pub fn ready(&self, keys: &mut Vec<u64>) -> io::Result<bool> {
        use std::mem::MaybeUninit;
        use std::os::fd::AsRawFd;
        // Left uninitialised: zeroing 12 KiB of events before every call cost
        // more than the system call itself; the kernel fills the first `n`.
        let mut events = [const { MaybeUninit::<libc::epoll_event>::uninit() }; READY_PER_CALL];
        // SAFETY: the buffer holds READY_PER_CALL events; timeout 0 never blocks.
        let n = unsafe {
            libc::epoll_wait(
                self.epoll.as_raw_fd(),
                events.as_mut_ptr().cast(),
                READY_PER_CALL as i32,
                0,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = n as usize;
        // SAFETY: epoll_wait initialised the first `n` entries.
        keys.extend(
            events[..n]
                .iter()
                .map(|e| unsafe { e.assume_init_read() }.u64),
        );
        Ok(n < READY_PER_CALL)
    }

    fn control(
        &self,
        op: libc::c_int,
        socket: &impl Watchable,
        event: &mut libc::epoll_event,
    ) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        // SAFETY: both descriptors are open for the call and `event` is valid.
        let r = unsafe { libc::epoll_ctl(self.epoll.as_raw_fd(), op, socket.as_raw_fd(), event) };
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
impl Poller {
    /// Not available on this platform.
    pub fn new() -> io::Result<Self> {
        Err(io::ErrorKind::Unsupported.into())
    }

    /// Not available on this platform.
    pub fn add(&self, _socket: &impl Watchable, _key: u64) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }

    /// Not available on this platform.
    pub fn delete(&self, _socket: &impl Watchable) {}

    /// Not available on this platform.
    pub fn ready(&self, _keys: &mut Vec<u64>) -> io::Result<bool> {
        Err(io::ErrorKind::Unsupported.into())
    }
}
