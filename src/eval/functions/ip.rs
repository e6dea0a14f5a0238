//! IP network functions: cidrsubnet, cidrsubnets, cidrhost, cidrnetmask (IPv4 and IPv6).

use std::net::IpAddr;

use super::string::arg_int;
use super::{arg_str, invalid, FuncContext, FuncResult};
use crate::value::Value;

fn parse_cidr(s: &str) -> Result<(IpAddr, u32), super::FuncError> {
    let Some((ip, len)) = s.split_once('/') else {
        return invalid(format!("Invalid value for \"prefix\" parameter: invalid CIDR address: {s}."));
    };
    // Terraform reads IPv4 octets with leading zeros as decimal ("010" is 10).
    let ip: IpAddr = match ip.parse() {
        Ok(ip) => ip,
        Err(_) => {
            let octets: Vec<Option<u8>> = ip.split('.').map(|o| if o.is_empty() || o.len() > 3 { None } else { o.parse().ok() }).collect();
            match octets.as_slice() {
                [Some(a), Some(b), Some(c), Some(d)] => IpAddr::V4(std::net::Ipv4Addr::new(*a, *b, *c, *d)),
                _ => return invalid(format!("Invalid value for \"prefix\" parameter: invalid CIDR address: {s}.")),
            }
        }
    };
    let len: u32 = len.parse().or_else(|_| invalid(format!("Invalid value for \"prefix\" parameter: invalid CIDR address: {s}.")))?;
    let bits = if ip.is_ipv4() { 32 } else { 128 };
    if len > bits {
        return invalid(format!("Invalid value for \"prefix\" parameter: invalid CIDR address: {s}."));
    }
    Ok((ip, len))
}

fn to_u128(ip: IpAddr) -> (u128, u32) {
    match ip {
        IpAddr::V4(v) => (u32::from(v) as u128, 32),
        IpAddr::V6(v) => (u128::from(v), 128),
    }
}

fn from_u128(n: u128, bits: u32) -> IpAddr {
    if bits == 32 {
        IpAddr::V4(std::net::Ipv4Addr::from(n as u32))
    } else {
        IpAddr::V6(std::net::Ipv6Addr::from(n))
    }
}

fn mask(len: u32, bits: u32) -> u128 {
    if len == 0 {
        0
    } else {
        (u128::MAX << (128 - len)) >> (128 - bits)
    }
}

pub fn cidrsubnet(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let (ip, len) = parse_cidr(&arg_str(&a[0], "prefix")?)?;
    let newbits = arg_int(&a[1], "newbits")?.max(0) as u32;
    let netnum = arg_int(&a[2], "netnum")? as f64;
    let (n, bits) = to_u128(ip);
    let newlen = len + newbits;
    if newlen > bits {
        return invalid(format!("Invalid value for \"newbits\" parameter: insufficient address space to extend prefix of {len} by {newbits}."));
    }
    if netnum < 0.0 || (newbits < 128 && netnum as u128 >= (1u128 << newbits)) {
        return invalid(format!("Invalid value for \"netnum\" parameter: prefix extension of {newbits} does not accommodate a subnet numbered {netnum}."));
    }
    let base = n & mask(len, bits);
    let sub = base | ((netnum as u128) << (bits - newlen));
    Ok(Value::String(format!("{}/{newlen}", from_u128(sub, bits))))
}

pub fn cidrhost(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let (ip, len) = parse_cidr(&arg_str(&a[0], "prefix")?)?;
    let host = arg_int(&a[1], "hostnum")? as f64;
    let (n, bits) = to_u128(ip);
    let size: u128 = if bits - len >= 128 { u128::MAX } else { 1u128 << (bits - len) };
    let idx: u128 = if host < 0.0 {
        if (-host) as u128 > size {
            return invalid(format!("Invalid value for \"hostnum\" parameter: prefix of {len} does not accommodate a host numbered {host}."));
        }
        // 2^bits - n; with a /0 IPv6 prefix 2^128 wraps to 0.
        if bits - len >= 128 {
            0u128.wrapping_sub((-host) as u128)
        } else {
            size - (-host) as u128
        }
    } else {
        if host as u128 >= size {
            return invalid(format!("Invalid value for \"hostnum\" parameter: prefix of {len} does not accommodate a host numbered {host}."));
        }
        host as u128
    };
    Ok(Value::String(from_u128((n & mask(len, bits)) | idx, bits).to_string()))
}

pub fn cidrnetmask(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let (ip, len) = parse_cidr(&arg_str(&a[0], "prefix")?)?;
    if !ip.is_ipv4() {
        return invalid("Invalid value for \"prefix\" parameter: only IPv4 networks are supported.");
    }
    Ok(Value::String(from_u128(mask(len, 32), 32).to_string()))
}

pub fn cidrsubnets(a: Vec<Value>, _: &FuncContext) -> FuncResult {
    let (ip, len) = parse_cidr(&arg_str(&a[0], "prefix")?)?;
    let (n, bits) = to_u128(ip);
    let base = n & mask(len, bits);
    // Each subnet starts at the first free address aligned to its own size (Terraform's rule).
    let mut next: u128 = base;
    let end: u128 = if bits - len >= 128 { u128::MAX } else { base + (1u128 << (bits - len)) };
    let mut out = Vec::new();
    for (i, nb) in a[1..].iter().enumerate() {
        let newbits = arg_int(nb, "newbits")?.max(0) as u32;
        let newlen = len + newbits;
        if newbits < 1 || newlen > bits {
            return invalid(format!(
                "Invalid value for \"newbits\" parameter: would extend prefix to {newlen} bits, which is too long for an IPv{} address.",
                if bits == 32 { 4 } else { 6 }
            ));
        }
        let size: u128 = 1u128 << (bits - newlen);
        let start = next.div_ceil(size) * size;
        if start + size > end || start < next {
            return invalid(format!(
                "Invalid value for \"newbits\" parameter: not enough remaining address space for a subnet with a prefix of {newlen} bits after {}.",
                out.last().map(|v: &Value| v.to_string()).unwrap_or_default()
            ));
        }
        let _ = i;
        out.push(Value::String(format!("{}/{newlen}", from_u128(start, bits))));
        next = start + size;
    }
    Ok(Value::List(out))
}
