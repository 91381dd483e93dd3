//! Which addresses a fetch may reach: [`is_public_ip`] (the one rule, for
//! the URL text and for the addresses actually connected to) and the text
//! checks of host names and URLs built on it.
//!
//! An address is public when it is in none of the IANA special-purpose
//! registries (IPv4 and IPv6), nor multicast, nor reserved; the IPv6 forms
//! that carry an IPv4 address (mapped, NAT64, 6to4) are judged by the IPv4
//! address they carry.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// IPv4 ranges that are not public: the IANA IPv4 Special-Purpose Address
/// Registry (globally reachable entries included: anycast and protocol
/// addresses never serve a feed), multicast and the reserved block.
const V4_SPECIAL: [(Ipv4Addr, u8); 18] = [
    (Ipv4Addr::new(0, 0, 0, 0), 8),       // "this network" (RFC 791)
    (Ipv4Addr::new(10, 0, 0, 0), 8),      // private (RFC 1918)
    (Ipv4Addr::new(100, 64, 0, 0), 10),   // shared address space, CGN (RFC 6598)
    (Ipv4Addr::new(127, 0, 0, 0), 8),     // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16),  // link-local (cloud metadata)
    (Ipv4Addr::new(172, 16, 0, 0), 12),   // private
    (Ipv4Addr::new(192, 0, 0, 0), 24),    // IETF protocol assignments (RFC 6890)
    (Ipv4Addr::new(192, 0, 2, 0), 24),    // documentation TEST-NET-1
    (Ipv4Addr::new(192, 31, 196, 0), 24), // AS112-v4
    (Ipv4Addr::new(192, 52, 193, 0), 24), // AMT
    (Ipv4Addr::new(192, 88, 99, 0), 24),  // former 6to4 relay anycast
    (Ipv4Addr::new(192, 168, 0, 0), 16),  // private
    (Ipv4Addr::new(192, 175, 48, 0), 24), // direct delegation AS112
    (Ipv4Addr::new(198, 18, 0, 0), 15),   // benchmarking (RFC 2544)
    (Ipv4Addr::new(198, 51, 100, 0), 24), // documentation TEST-NET-2
    (Ipv4Addr::new(203, 0, 113, 0), 24),  // documentation TEST-NET-3
    (Ipv4Addr::new(224, 0, 0, 0), 4),     // multicast
    (Ipv4Addr::new(240, 0, 0, 0), 4),     // reserved, and 255.255.255.255 broadcast
];

/// IPv6 ranges inside the global unicast space `2000::/3` that are not
/// public (everything outside `2000::/3` is not public either: loopback,
/// unspecified, IPv4-compatible, discard-only, unique-local, link-local,
/// site-local, multicast, SRv6, local-use NAT64 `64:ff9b:1::/48`…).
const V6_SPECIAL: [(Ipv6Addr, u8); 4] = [
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23), // IETF protocol assignments: Teredo, benchmarking, ORCHID, AMT, AS112…
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0), 48), // direct delegation AS112
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20), // documentation (RFC 9637)
];

const GLOBAL_UNICAST: (Ipv6Addr, u8) = (Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3);
/// NAT64 well-known prefix (RFC 6052): the IPv4 address in the last 32 bits.
const NAT64: (Ipv6Addr, u8) = (Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96);
/// 6to4 (RFC 3056): the IPv4 address in bits 16 to 48.
const SIX_TO_FOUR: (Ipv6Addr, u8) = (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16);
/// IPv4-compatible (deprecated, RFC 4291): the IPv4 address in the last 32 bits.
const V4_COMPATIBLE: (Ipv6Addr, u8) = (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 96);

fn in_v4(ip: Ipv4Addr, (net, len): (Ipv4Addr, u8)) -> bool {
    len == 0 || (ip.to_bits() ^ net.to_bits()) >> (32 - u32::from(len)) == 0
}

fn in_v6(ip: Ipv6Addr, (net, len): (Ipv6Addr, u8)) -> bool {
    len == 0 || (ip.to_bits() ^ net.to_bits()) >> (128 - u32::from(len)) == 0
}

/// May the harvester connect to `ip`? Only if it is a public address: not
/// loopback, private, shared, link-local, documentation, benchmarking,
/// multicast, reserved, broadcast, unique-local, nor any other
/// special-purpose range; an IPv6 address carrying an IPv4 one (mapped
/// `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) is judged by
/// that IPv4 address, and IPv4-compatible `::a.b.c.d` is never public.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !V4_SPECIAL.iter().any(|&range| in_v4(v4, range)),
        IpAddr::V6(v6) => {
            if let Some(v4) = carried_v4(v6).filter(|_| !in_v6(v6, V4_COMPATIBLE)) {
                return is_public_ip(IpAddr::V4(v4));
            }
            in_v6(v6, GLOBAL_UNICAST) && !V6_SPECIAL.iter().any(|&range| in_v6(v6, range))
        }
    }
}

/// The IPv4 address an IPv6 address carries, if it is of such a form.
fn carried_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = ip.to_bits();
    if let Some(v4) = ip.to_ipv4_mapped() {
        Some(v4)
    } else if in_v6(ip, NAT64) || (in_v6(ip, V4_COMPATIBLE) && bits > 1) {
        Some(Ipv4Addr::from_bits(bits as u32))
    } else if in_v6(ip, SIX_TO_FOUR) {
        Some(Ipv4Addr::from_bits((bits >> 80) as u32))
    } else {
        None
    }
}

/// `ip` for a message: an IPv6 address with the IPv4 one it carries.
pub fn describe(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => match carried_v4(v6) {
            Some(v4) => format!("{v6} (soit {v4})"),
            None => v6.to_string(),
        },
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// A host name that designates this machine or the local network by
/// convention (trailing dots and case ignored): `localhost`,
/// `*.localhost`, `localhost.localdomain` and `*.localdomain`, mDNS
/// `*.local`, `*.internal`, `*.arpa` (`home.arpa`, reverse names), and
/// names of one label (`intranet`).
pub fn is_local_name(host: &str) -> bool {
    let d = host.trim_end_matches('.').to_ascii_lowercase();
    !d.contains('.') || [".localhost", ".localdomain", ".local", ".internal", ".arpa"].iter().any(|s| d.ends_with(s))
}

/// Why the host of `u` is not a public one, in French (without the
/// "adresse refusée" prefix); `None` when it is public by its text. IP
/// literals come normalised by the `url` crate: decimal, octal and hex
/// IPv4 forms (`2130706433`, `0177.0.0.1`, `0x7f.1`) are 127.0.0.1, IPv6
/// literals are judged with the IPv4 address they carry.
pub fn host_refusal(u: &Url) -> Option<String> {
    match u.host() {
        None => Some("adresse sans nom de serveur".into()),
        Some(Host::Domain(d)) if is_local_name(d) => Some(format!("« {d} » désigne cette machine ou le réseau local")),
        Some(Host::Domain(_)) => None,
        Some(Host::Ipv4(ip)) => ip_refusal(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => ip_refusal(IpAddr::V6(ip)),
    }
}

fn ip_refusal(ip: IpAddr) -> Option<String> {
    (!is_public_ip(ip)).then(|| format!("{} est une adresse locale, privée ou réservée", describe(ip)))
}

/// Why `u` is not an `http(s)` address of a public host, in French, with
/// the "adresse refusée" prefix; `None` when its text is acceptable (a
/// name still has to resolve to public addresses, see
/// [`super::Fetcher`]).
pub fn url_refusal(u: &Url) -> Option<String> {
    if !matches!(u.scheme(), "http" | "https") {
        return Some(format!("adresse refusée : seules les adresses http(s) sont acceptées (pas « {}: »)", u.scheme()));
    }
    host_refusal(u).map(|m| format!("adresse refusée : {m}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public_ip(s.parse().unwrap_or_else(|e| panic!("{s}: {e}")))
    }

    #[test]
    fn public_addresses_are_public() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "185.24.184.66",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "191.255.255.255",
            "192.0.1.0",
            "192.0.3.0",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "198.51.99.255",
            "203.0.112.255",
            "223.255.255.255",
            "2a01:e0a:1::1",
            "2001:4860:4860::8888",
            "2606:4700:4700::1111",
            "2001:200::1",
            "2620:4f:7fff::1",
            // Forms carrying a public IPv4 address.
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(public(ip), "{ip} should be public");
        }
    }

    #[test]
    fn every_special_purpose_ipv4_range_is_refused() {
        let cases = [
            ("0.0.0.0/8", ["0.0.0.0", "0.1.2.3", "0.255.255.255"]),
            ("10.0.0.0/8 private", ["10.0.0.0", "10.1.2.3", "10.255.255.255"]),
            ("100.64.0.0/10 shared", ["100.64.0.0", "100.100.100.200", "100.127.255.255"]),
            ("127.0.0.0/8 loopback", ["127.0.0.1", "127.1.2.3", "127.255.255.255"]),
            ("169.254.0.0/16 link-local", ["169.254.0.0", "169.254.169.254", "169.254.255.255"]),
            ("172.16.0.0/12 private", ["172.16.0.0", "172.20.1.1", "172.31.255.255"]),
            ("192.0.0.0/24 IETF", ["192.0.0.0", "192.0.0.9", "192.0.0.255"]),
            ("192.0.2.0/24 documentation", ["192.0.2.0", "192.0.2.2", "192.0.2.255"]),
            ("192.31.196.0/24 AS112", ["192.31.196.0", "192.31.196.1", "192.31.196.255"]),
            ("192.52.193.0/24 AMT", ["192.52.193.0", "192.52.193.1", "192.52.193.255"]),
            ("192.88.99.0/24 6to4 relay", ["192.88.99.0", "192.88.99.1", "192.88.99.255"]),
            ("192.168.0.0/16 private", ["192.168.0.0", "192.168.1.1", "192.168.255.255"]),
            ("192.175.48.0/24 AS112", ["192.175.48.0", "192.175.48.1", "192.175.48.255"]),
            ("198.18.0.0/15 benchmarking", ["198.18.0.0", "198.18.0.1", "198.19.255.255"]),
            ("198.51.100.0/24 documentation", ["198.51.100.0", "198.51.100.7", "198.51.100.255"]),
            ("203.0.113.0/24 documentation", ["203.0.113.0", "203.0.113.7", "203.0.113.255"]),
            ("224.0.0.0/4 multicast", ["224.0.0.1", "232.1.1.1", "239.255.255.255"]),
            ("240.0.0.0/4 reserved", ["240.0.0.0", "250.1.1.1", "255.255.255.254"]),
            ("broadcast", ["255.255.255.255", "255.255.255.255", "255.255.255.255"]),
        ];
        for (range, ips) in cases {
            for ip in ips {
                assert!(!public(ip), "{ip} ({range}) should be refused");
            }
        }
    }

    #[test]
    fn every_special_purpose_ipv6_range_is_refused() {
        let cases = [
            ("::/128 unspecified", "::"),
            ("::1 loopback", "::1"),
            ("::ffff:0:0/96 mapped loopback", "::ffff:127.0.0.1"),
            ("::ffff:0:0/96 mapped private", "::ffff:10.0.0.1"),
            ("::ffff:0:0/96 mapped metadata", "::ffff:169.254.169.254"),
            ("::/96 IPv4-compatible loopback", "::127.0.0.1"),
            ("::/96 IPv4-compatible, even public", "::8.8.8.8"),
            ("64:ff9b::/96 NAT64 loopback", "64:ff9b::7f00:1"),
            ("64:ff9b::/96 NAT64 private", "64:ff9b::192.168.1.1"),
            ("64:ff9b:1::/48 local-use NAT64", "64:ff9b:1::808:808"),
            ("100::/64 discard-only", "100::1"),
            ("2001::/23 IETF", "2001:1::1"),
            ("2001::/32 Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2"),
            ("2001:2::/48 benchmarking", "2001:2::1"),
            ("2001:20::/28 ORCHIDv2", "2001:20::1"),
            ("2001:db8::/32 documentation", "2001:db8::1"),
            ("2002::/16 6to4 loopback", "2002:7f00:1::1"),
            ("2002::/16 6to4 private", "2002:c0a8:101::1"),
            ("2620:4f:8000::/48 AS112", "2620:4f:8000::1"),
            ("3fff::/20 documentation", "3fff::1"),
            ("5f00::/16 SRv6", "5f00::1"),
            ("fc00::/7 unique-local", "fc00::1"),
            ("fd00::/8 unique-local", "fd12:3456:789a::1"),
            ("fe80::/10 link-local", "fe80::1"),
            ("fec0::/10 site-local", "fec0::1"),
            ("ff00::/8 multicast", "ff02::1"),
            ("ff00::/8 multicast, global scope", "ff0e::1"),
            ("outside 2000::/3", "4000::1"),
        ];
        for (range, ip) in cases {
            assert!(!public(ip), "{ip} ({range}) should be refused");
        }
    }

    #[test]
    fn url_texts_are_normalised_before_judging() {
        let refused = |s: &str| url_refusal(&Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")));
        for bad in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0177.0.0.1/",
            "http://0x7f.1/",
            "http://127.1/",
            "http://127.0.0.1./",
            "http://[::127.0.0.1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[64:ff9b::127.0.0.1]/",
            "http://[2002:7f00:1::]/",
            "http://198.18.0.1/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://localhost/",
            "http://localhost./",
            "http://LOCALHOST../",
            "http://%6c%6fcalhost/",
            "http://app.localhost/",
            "http://localhost.localdomain/",
            "http://printer.local/",
            "http://metadata.google.internal/",
            "http://router.home.arpa/",
            "http://intranet/",
            "ftp://www.insee.fr/",
            "file:///etc/passwd",
        ] {
            assert!(refused(bad).is_some_and(|m| m.starts_with("adresse refusée : ")), "{bad} should be refused");
        }
        for ok in [
            "https://www.insee.fr/fr/flux/1",
            "http://data.ofgl.fr/api",
            "https://example.test/",
            "http://8.8.8.8/",
            "http://[2a01:e0a::1]/",
            "https://www.insee.fr./",
        ] {
            assert_eq!(refused(ok), None, "{ok}");
        }
        assert_eq!(
            refused("http://2130706433/").as_deref(),
            Some("adresse refusée : 127.0.0.1 est une adresse locale, privée ou réservée")
        );
        assert_eq!(
            refused("http://[::ffff:127.0.0.1]/").as_deref(),
            Some("adresse refusée : ::ffff:127.0.0.1 (soit 127.0.0.1) est une adresse locale, privée ou réservée")
        );
    }
}
