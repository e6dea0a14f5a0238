//! Provider configuration addresses as Terraform writes them in state and JSON:
//! `provider["registry.terraform.io/hashicorp/aws"].west` for the configuration key `aws.west`.

/// The source address Terraform uses for a provider's local name.
pub fn provider_source(name: &str) -> String {
    match name {
        "terraform" => "terraform.io/builtin/terraform".to_string(),
        other => format!("registry.terraform.io/hashicorp/{other}"),
    }
}

/// `aws.west` -> `provider["registry.terraform.io/hashicorp/aws"].west`
pub fn provider_address(key: &str) -> String {
    let (name, alias) = match key.split_once('.') {
        Some((n, a)) => (n, Some(a)),
        None => (key, None),
    };
    let mut s = format!("provider[\"{}\"]", provider_source(name));
    if let Some(a) = alias {
        s.push('.');
        s.push_str(a);
    }
    s
}

/// The inverse of [`provider_address`]; falls back to the text itself.
pub fn provider_key(address: &str) -> String {
    let Some(rest) = address.strip_prefix("provider[\"") else { return address.to_string() };
    let Some((source, tail)) = rest.split_once("\"]") else { return address.to_string() };
    let name = source.rsplit('/').next().unwrap_or(source);
    match tail.strip_prefix('.') {
        Some(alias) if !alias.is_empty() => format!("{name}.{alias}"),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for k in ["aws", "aws.west", "terraform"] {
            assert_eq!(provider_key(&provider_address(k)), k);
        }
        assert_eq!(provider_address("terraform"), "provider[\"terraform.io/builtin/terraform\"]");
    }
}
