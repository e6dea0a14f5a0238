//! `aws_vpc_dhcp_options_association`: `vpc_id` (replaces), `dhcp_options_id` (a set's id, or
//! `default`; changes in place); computed `id`, `<options id>-<VPC id>`. Destroy gives the VPC
//! the default options. Import by VPC id. Not implemented: `region`.

use super::errors::aws_error;
use super::vpc_dhcp_options::options_of;
use super::AwsProvider;
use crate::diag::Diagnostics;
use crate::provider::helpers::{attr, error, imported, set, text};
use crate::provider::*;
use crate::schema::builder::resource;
use crate::value::Value;

pub fn schema() -> ResourceSchema {
    resource("aws_vpc_dhcp_options_association").implement(&["vpc_id", "dhcp_options_id", "id"]).computed_only(&["id"]).force_new(&["vpc_id"]).build()
}

fn association_id(options: &str, vpc: &str) -> String {
    format!("{options}-{vpc}")
}

async fn associate(p: &AwsProvider, options: &str, vpc: &str) -> Result<(), Diagnostics> {
    let r = p.ec2_write.associate_dhcp_options().dhcp_options_id(options).vpc_id(vpc).send().await;
    r.map_err(|e| aws_error(&format!("associating DHCP options {options} with VPC {vpc}"), &e))?;
    Ok(())
}

/// `aws_vpc_dhcp_options_association`.
pub struct AwsVpcDhcpOptionsAssociation;

#[async_trait::async_trait]
impl ResourceType<AwsProvider> for AwsVpcDhcpOptionsAssociation {
    fn name(&self) -> &'static str {
        "aws_vpc_dhcp_options_association"
    }

    fn schema(&self) -> ResourceSchema {
        schema()
    }

    fn plan(&self, _p: &AwsProvider, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state;
        let id = match (attr(&planned, "dhcp_options_id").as_str(), attr(&planned, "vpc_id").as_str()) {
            (Some(o), Some(v)) => Value::String(association_id(o, v)),
            _ => Value::Unknown,
        };
        set(&mut planned, "id", id);
        PlanResponse::planned(planned)
    }

    /// Gone when the VPC is, or uses other options.
    async fn read(&self, p: &AwsProvider, prior: Value) -> ReadResponse {
        match options_of(p, &text(&prior, "vpc_id")).await {
            Ok(Some(o)) if o == text(&prior, "dhcp_options_id") => ReadResponse::found(prior),
            Ok(_) => ReadResponse::gone(),
            Err(d) => ReadResponse::failed(prior, d),
        }
    }

    async fn create(&self, p: &AwsProvider, planned: Value, _config: &Value) -> ApplyResponse {
        match associate(p, &text(&planned, "dhcp_options_id"), &text(&planned, "vpc_id")).await {
            Ok(()) => ApplyResponse::ok(Some(planned)),
            Err(d) => ApplyResponse::failed(None, d),
        }
    }

    async fn update(&self, p: &AwsProvider, prior: Value, planned: Value, _config: &Value) -> ApplyResponse {
        match associate(p, &text(&planned, "dhcp_options_id"), &text(&planned, "vpc_id")).await {
            Ok(()) => ApplyResponse::ok(Some(planned)),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    async fn delete(&self, p: &AwsProvider, prior: Value) -> ApplyResponse {
        if text(&prior, "dhcp_options_id") == "default" {
            return ApplyResponse::ok(None);
        }
        match associate(p, "default", &text(&prior, "vpc_id")).await {
            Ok(()) => ApplyResponse::ok(None),
            Err(d) => ApplyResponse::failed(Some(prior), d),
        }
    }

    /// Imports the association of the VPC whose id is given.
    async fn import(&self, p: &AwsProvider, vpc: String, blank: Value) -> ImportResponse {
        let options = match options_of(p, &vpc).await {
            Ok(Some(o)) => o,
            Ok(None) => return ImportResponse::failed(error("Cannot import non-existent remote object", format!("There is no VPC with id \"{vpc}\"."))),
            Err(d) => return ImportResponse::failed(d),
        };
        let mut state = blank;
        set(&mut state, "id", Value::String(association_id(&options, &vpc)));
        set(&mut state, "vpc_id", Value::string(&vpc));
        set(&mut state, "dhcp_options_id", Value::string(&options));
        imported(self.read(p, state).await, || format!("There is no VPC with id \"{vpc}\"."))
    }
}
