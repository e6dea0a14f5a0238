//! `aws_vpc_security_group_egress_rule`: one outbound rule of a security group, the same
//! driver as the ingress rule ([`super::vpc_security_group_ingress_rule::Rule`]).

use super::vpc_security_group_ingress_rule::Rule;

/// `aws_vpc_security_group_egress_rule`.
pub const EGRESS: Rule = Rule { type_name: "aws_vpc_security_group_egress_rule", egress: true };
