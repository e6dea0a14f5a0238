//! A small client for the AWS service that speaks REST-XML here (Route 53, API version
//! 2013-04-01): one request per operation with its own method and path
//! (`GET /2013-04-01/hostedzone/{Id}`), an optional query and an optional XML body, answered
//! in XML. It stands in for the Route 53 SDK crate as [`super::rest_api`] does for Lambda,
//! and shares the signing, retrying and counting core ([`super::signed`]).
//!
//! Route 53 is a global service: requests are signed for `us-east-1`, and its endpoint is
//! `endpoints { route53 }`, then `AWS_ENDPOINT_URL_ROUTE_53`, then `AWS_ENDPOINT_URL`, then
//! `https://route53.amazonaws.com` (not a regional host). Answers are read with
//! [`Xml`]; error answers (`<ErrorResponse><Error><Code>`, and `InvalidChangeBatch`'s
//! `<Messages>`) become [`ApiError`]s. Bodies are written with [`element`] and [`escape`].
//! Entry points: [`RestXml::call`], [`RestXml::write`].

use std::sync::Arc;

use super::json_api::ApiError;
use super::query_api::Xml;
use super::rest_api::segment;
use super::signed::{Addressing, Call, Setup, Signed};

/// One REST-XML service: how it is addressed and signed.
#[derive(Debug)]
pub struct RestXmlService {
    /// Its name in the provider's `endpoints` block.
    pub key: &'static str,
    /// The SigV4 signing name.
    pub signing_name: &'static str,
    /// The suffix of its `AWS_ENDPOINT_URL_<SERVICE>` variable.
    pub env: &'static str,
    /// Its endpoint when nothing else is configured (a global service).
    pub global: &'static str,
    /// The region its requests are signed for.
    pub signing_region: &'static str,
}

pub const ROUTE53: RestXmlService =
    RestXmlService { key: "route53", signing_name: "route53", env: "ROUTE_53", global: "https://route53.amazonaws.com", signing_region: "us-east-1" };

/// The XML namespace of Route 53 request bodies.
pub const ROUTE53_XMLNS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

/// The REST-XML client of a configured provider.
pub struct RestXml {
    core: Signed,
}

impl RestXml {
    /// The client for a provider (Route 53's endpoint resolved as the module says).
    pub(super) fn new(setup: &Setup) -> RestXml {
        let s = &ROUTE53;
        let global = setup.sdk.endpoint_url().map(str::to_string);
        let configured = |key: &str| -> Option<String> {
            (setup.configured)(key)
                .or_else(|| std::env::var(format!("AWS_ENDPOINT_URL_{}", s.env)).ok().filter(|u| !u.is_empty()))
                .or_else(|| global.clone())
                .or_else(|| Some(s.global.to_string()))
        };
        let global_setup =
            Setup { sdk: setup.sdk, region: s.signing_region, configured: &configured, counter: Arc::clone(&setup.counter), attempts: setup.attempts };
        let services = [Addressing { key: s.key, alias: None, env: s.env, signing_name: s.signing_name }];
        RestXml { core: Signed::new(&global_setup, services) }
    }

    /// A client with static credentials and the service at one endpoint (tests, tools).
    pub fn for_endpoint(endpoint: &str, access_key: &str, secret_key: &str) -> RestXml {
        RestXml { core: Signed::for_endpoint(endpoint, ROUTE53.signing_region, (access_key, secret_key), "skyform-rest-xml", [ROUTE53.key]) }
    }

    /// The endpoint a service's calls go to.
    pub fn endpoint(&self, service: &RestXmlService) -> &str {
        self.core.endpoint(service.key)
    }

    /// Sends a request with the read/update retry budget; the answer's root element (an
    /// empty element for an empty answer).
    pub async fn call(
        &self,
        service: &RestXmlService,
        method: &'static str,
        path: &str,
        query: &[(&str, String)],
        body: Option<String>,
    ) -> Result<Xml, ApiError> {
        self.send(service, method, path, query, body, false).await
    }

    /// Sends a request with the raised retry budget of creates and deletes.
    pub async fn write(
        &self,
        service: &RestXmlService,
        method: &'static str,
        path: &str,
        query: &[(&str, String)],
        body: Option<String>,
    ) -> Result<Xml, ApiError> {
        self.send(service, method, path, query, body, true).await
    }

    async fn send(
        &self,
        service: &RestXmlService,
        method: &'static str,
        path: &str,
        query: &[(&str, String)],
        body: Option<String>,
        write: bool,
    ) -> Result<Xml, ApiError> {
        let mut url = format!("{}{path}", self.endpoint(service).trim_end_matches('/'));
        if !query.is_empty() {
            let q: Vec<String> = query.iter().map(|(k, v)| format!("{}={}", segment(k), segment(v))).collect();
            url = format!("{url}?{}", q.join("&"));
        }
        let mut headers = vec![];
        if body.is_some() {
            headers.push(("content-type".to_string(), "application/xml".to_string()));
        }
        let call = Call { signing_name: service.signing_name, method, url: url.clone(), headers, body: body.map(String::into_bytes), write };
        self.core
            .send(&call, |status, _, bytes| {
                let text = String::from_utf8_lossy(bytes);
                let xml = if text.trim().is_empty() { Ok(Xml::default()) } else { Xml::parse(&text) };
                if (200..300).contains(&status) {
                    return xml.map_err(|e| ApiError { code: "InvalidResponse".into(), message: format!("{url}: unreadable answer: {e}"), status });
                }
                Err(error_of(status, xml.ok().as_ref(), &text))
            })
            .await
    }
}

/// An error answer as an [`ApiError`]: `<Error><Code>`/`<Message>`, or `InvalidChangeBatch`
/// with its `<Messages>` joined; the start of the body where it is neither.
fn error_of(status: u16, xml: Option<&Xml>, raw: &str) -> ApiError {
    let error = xml.and_then(|x| if x.name == "Error" { Some(x) } else { x.find("Error") });
    let batch = xml.filter(|x| x.name == "InvalidChangeBatch");
    let code = error.and_then(|e| e.text_of("Code")).or_else(|| batch.map(|b| b.name.clone())).unwrap_or_default();
    let messages = batch.and_then(|b| b.child("Messages")).map(|m| m.all("Message").map(|m| m.text.clone()).collect::<Vec<_>>().join("; "));
    let message = error.and_then(|e| e.text_of("Message")).or(messages).unwrap_or_else(|| raw.chars().take(500).collect());
    let message = if message.is_empty() { format!("HTTP {status}") } else { message };
    ApiError { code, message, status }
}

/// Escapes text for an XML element or attribute.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// `<name>text</name>`, the text escaped.
pub fn element(name: &str, text: &str) -> String {
    format!("<{name}>{}</{name}>", escape(text))
}

/// An element read from an answer written back as XML (an object to send back as it was,
/// such as a record set to delete).
pub fn to_xml(x: &Xml) -> String {
    if x.children.is_empty() {
        return element(&x.name, &x.text);
    }
    let inner: String = x.children.iter().map(to_xml).collect();
    format!("<{0}>{inner}</{0}>", x.name)
}

/// A request document: `<?xml ...?><root xmlns="...">inner</root>`.
pub fn document(root: &str, inner: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><{root} xmlns=\"{ROUTE53_XMLNS}\">{inner}</{root}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_and_change_batches() {
        let e = "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found</Message></Error></ErrorResponse>";
        let err = error_of(404, Xml::parse(e).ok().as_ref(), e);
        assert_eq!((err.code.as_str(), err.message.as_str()), ("NoSuchHostedZone", "No hosted zone found"));
        let b = "<InvalidChangeBatch><Messages><Message>a</Message><Message>b</Message></Messages></InvalidChangeBatch>";
        let err = error_of(400, Xml::parse(b).ok().as_ref(), b);
        assert_eq!((err.code.as_str(), err.message.as_str()), ("InvalidChangeBatch", "a; b"));
        assert!(error_of(400, None, "<x").message.starts_with("<x"));
    }

    #[test]
    fn documents_escape_and_round_trip() {
        assert_eq!(element("Value", "\"v=spf1 a\" <&>"), "<Value>&quot;v=spf1 a&quot; &lt;&amp;&gt;</Value>");
        let x = Xml::parse("<ResourceRecordSet><Name>a.example.com.</Name><ResourceRecords><ResourceRecord><Value>1.2.3.4</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>").unwrap();
        assert_eq!(Xml::parse(&to_xml(&x)).unwrap(), x);
        assert!(document("R", "<A/>").contains("xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\""));
    }
}
