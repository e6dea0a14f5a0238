//! AWS SDK errors as diagnostics: the service's error code and message, with a hint for the
//! mistakes that are the user's (a bucket name taken or invalid, a missing bucket).

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::diag::{Diagnostic, Diagnostics};

/// The error code of a service error (`NoSuchBucket`, ...), if the service sent one.
pub fn code<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> Option<String> {
    e.as_service_error().and_then(|s| s.code()).map(str::to_string)
}

/// Whether the error is a 404 (or the service's not-found code).
pub fn not_found<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> bool {
    if let Some(c) = code(e) {
        if matches!(c.as_str(), "NotFound" | "NoSuchBucket" | "NoSuchKey" | "404") {
            return true;
        }
    }
    e.raw_response().is_some_and(|r| r.status().as_u16() == 404)
}

/// A failed call as a diagnostic: `what` says which call (`creating S3 bucket "x"`).
pub fn aws_error<E>(what: &str, e: &SdkError<E, HttpResponse>) -> Diagnostics
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (c, msg) = match (e.as_service_error(), e.raw_response()) {
        (Some(s), _) if s.code().is_some() => (s.code().unwrap_or_default().to_string(), s.message().unwrap_or("").to_string()),
        // An answer without an error code (a 5xx with an empty body, say): its status, not the
        // SDK's debug dump.
        (_, Some(r)) => {
            (String::new(), format!("the service answered HTTP {} without error details (retried as the provider's retry settings allow)", r.status().as_u16()))
        }
        _ => (String::new(), DisplayErrorContext(e).to_string()),
    };
    let hint = match c.as_str() {
        "BucketAlreadyExists" => "\n\nBucket names are global across all AWS accounts: choose another name.",
        "BucketAlreadyOwnedByYou" => "\n\nYou already own this bucket: import it with `skyform import` instead of creating it.",
        "InvalidBucketName" => {
            "\n\nBucket names are 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit."
        }
        "NoSuchBucket" => "\n\nThe bucket does not exist (or is in another account).",
        "InvalidAMIID.NotFound" | "InvalidAMIID.Malformed" | "InvalidAMIID.Unavailable" => {
            "\n\nAMIs are regional: check that the AMI id exists in this provider's region and that your account can use it."
        }
        "InvalidSubnet.Conflict" => "\n\nThe CIDR block overlaps another subnet of the VPC: choose a free range (cidrsubnet() helps).",
        "InvalidSubnet.Range" => "\n\nThe subnet's CIDR block must lie inside the VPC's CIDR block.",
        "InvalidVpc.Range" => "\n\nVPC CIDR blocks must be between /16 and /28.",
        "InvalidGroup.Duplicate" => "\n\nA security group of that name already exists in the VPC: import it or choose another name.",
        "AccessDenied" | "InvalidAccessKeyId" | "SignatureDoesNotMatch" => {
            "\n\nCheck the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the provider block)."
        }
        _ => "",
    };
    let detail = if c.is_empty() { format!("Error {what}: {msg}{hint}") } else { format!("Error {what}: {c}: {msg}{hint}") };
    Diagnostic::error(format!("AWS API error ({})", if c.is_empty() { "request failed" } else { &c }), detail).into()
}
