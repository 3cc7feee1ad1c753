//! Who may open one more connection: the cap on all connections, a smaller one per client
//! address, and room kept for the known senders (Telegram's webhook ranges, and what the
//! operator adds: a load balancer, Zalo's addresses), so that one client holding half-open
//! connections cannot keep real updates out.
//!
//! The client is the TCP peer, decided at accept, before a byte is read: a header such as
//! `X-Forwarded-For` comes later and anyone can write it. Behind a load balancer the peer is
//! the balancer, so its addresses belong among the known senders (it limits per client
//! itself, seeing their addresses).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use super::limits::HttpLimits;

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Every connection the server takes is open.
    Full,
    /// All but the reserved room is taken (by others than the known senders).
    OnlyReservedLeft,
    /// This client has its share open already.
    ClientFull,
}

/// The connections open now, by client. Shared by the accept loop and the slots it gives.
#[derive(Debug, Default)]
struct Open {
    all: usize,
    /// Connections of others than the known senders.
    others: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// Counts connections as they are accepted and closed.
#[derive(Debug, Clone)]
pub struct Gate {
    limits: HttpLimits,
    open: Arc<Mutex<Open>>,
}

/// One admitted connection; dropping it frees its place.
#[derive(Debug)]
pub struct Slot {
    open: Arc<Mutex<Open>>,
    client: Option<IpAddr>,
}

impl Gate {
    pub fn new(limits: &HttpLimits) -> Gate {
        Gate {
            limits: limits.clone(),
            open: Arc::default(),
        }
    }

    /// A slot for a connection from `peer`, or why there is none.
    pub fn admit(&self, peer: IpAddr) -> Result<Slot, Refusal> {
        let peer = peer.to_canonical();
        let limits = &self.limits;
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.all >= limits.max_connections {
            return Err(Refusal::Full);
        }
        if limits
            .known_senders
            .iter()
            .any(|range| range.contains(&peer))
        {
            open.all += 1;
            return Ok(Slot {
                open: self.open.clone(),
                client: None,
            });
        }
        if open.others >= limits.max_connections.saturating_sub(limits.reserved) {
            return Err(Refusal::OnlyReservedLeft);
        }
        let client = client_of(peer);
        let count = open.by_client.entry(client).or_default();
        if *count >= limits.per_client {
            return Err(Refusal::ClientFull);
        }
        *count += 1;
        open.others += 1;
        open.all += 1;
        Ok(Slot {
            open: self.open.clone(),
            client: Some(client),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.all = open.all.saturating_sub(1);
        let Some(client) = self.client else {
            return;
        };
        open.others = open.others.saturating_sub(1);
        if let Some(count) = open.by_client.get_mut(&client) {
            *count -= 1;
            if *count == 0 {
                open.by_client.remove(&client);
            }
        }
    }
}

/// The address a client is counted under: an IPv4 address, or an IPv6 address's /64 (one
/// subscriber gets a whole /64, so counting single addresses would count nothing).
fn client_of(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V4(_) => peer,
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use ipnet::IpNet;

    use super::*;
    use crate::ops::limits::known_senders;

    fn gate(max: usize, per_client: usize, reserved: usize, known: &[&str]) -> Gate {
        let known: Vec<IpNet> = known.iter().map(|r| r.parse().unwrap()).collect();
        Gate::new(&HttpLimits {
            max_connections: max,
            per_client,
            reserved,
            known_senders: known.into(),
            ..HttpLimits::default()
        })
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn one_client_gets_its_share_and_no_more_while_others_still_get_in() {
        let gate = gate(10, 3, 0, &[]);
        let held: Vec<Slot> = (0..3)
            .map(|_| gate.admit(ip("203.0.113.9")).unwrap())
            .collect();

        assert_eq!(
            gate.admit(ip("203.0.113.9")).unwrap_err(),
            Refusal::ClientFull
        );
        assert!(gate.admit(ip("203.0.113.10")).is_ok());
        drop(held);
        assert!(gate.admit(ip("203.0.113.9")).is_ok(), "freed on close");
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_slash_64_and_a_mapped_ipv4_as_ipv4() {
        let gate = gate(10, 1, 0, &[]);
        let _first = gate.admit(ip("2001:db8:1:2::1")).unwrap();
        assert_eq!(
            gate.admit(ip("2001:db8:1:2:ffff::9")).unwrap_err(),
            Refusal::ClientFull
        );
        assert!(gate.admit(ip("2001:db8:1:3::1")).is_ok());
        let _v4 = gate.admit(ip("198.51.100.7")).unwrap();
        assert_eq!(
            gate.admit(ip("::ffff:198.51.100.7")).unwrap_err(),
            Refusal::ClientFull
        );
    }

    #[test]
    fn the_reserved_room_is_left_to_the_known_senders_who_are_not_limited_per_client() {
        let gate = gate(6, 2, 2, &["149.154.160.0/20"]);
        let mut held = Vec::new();
        for client in ["10.0.0.1", "10.0.0.2"] {
            for _ in 0..2 {
                held.push(gate.admit(ip(client)).unwrap());
            }
        }

        assert_eq!(
            gate.admit(ip("10.0.0.3")).unwrap_err(),
            Refusal::OnlyReservedLeft
        );
        held.push(gate.admit(ip("149.154.167.1")).unwrap());
        held.push(gate.admit(ip("149.154.167.1")).unwrap());
        assert_eq!(gate.admit(ip("149.154.167.1")).unwrap_err(), Refusal::Full);
    }

    #[test]
    fn telegrams_webhook_ranges_are_always_known_senders_beside_the_configured_ones() {
        let balancer: IpNet = "10.0.0.2/32".parse().unwrap();
        let ranges = known_senders(&[balancer]);
        assert!(ranges.iter().any(|r| r.contains(&ip("10.0.0.2"))));
        for address in [
            "149.154.160.1",
            "149.154.175.254",
            "91.108.4.1",
            "91.108.7.200",
        ] {
            assert!(ranges.iter().any(|r| r.contains(&ip(address))), "{address}");
        }
        for address in ["149.154.176.1", "91.108.8.1"] {
            assert!(
                !ranges.iter().any(|r| r.contains(&ip(address))),
                "{address}"
            );
        }
    }
}
