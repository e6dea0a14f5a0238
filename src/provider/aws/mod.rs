//! `provider "aws"`: S3, EC2, IAM and STS through the official AWS SDK; KMS, SSM, Secrets
//! Manager, CloudWatch Logs, SQS, DynamoDB and ECS through one small signed JSON-protocol client
//! ([`json_api`]), SNS, CloudWatch, RDS, ELBv2 and Auto Scaling through its Query-protocol
//! sibling ([`query_api`]), Lambda through the REST-JSON one ([`rest_api`]) and Route 53
//! through the REST-XML one ([`rest_xml`]), which spares the build their SDK crates.
//!
//! The factory turns the provider block (Terraform's names: `region`, `access_key`/`secret_key`,
//! `profile`, `endpoints { s3, ec2, iam, sts, kms, ssm, secretsmanager, logs, sqs, dynamodb, ecs, sns, cloudwatch, lambda, route53, rds, elbv2, autoscaling }`,
//! `s3_use_path_style`, `default_tags { tags }`, the `skip_*` switches) into clients;
//! [`AwsProvider`]'s registration list (its [`Dispatch`] impl) sends each request to the file of
//! its resource type. Credentials come from the standard chain (environment, profile, instance
//! role) unless the block sets them; they are never written to state or plan files (the engine
//! stores resource attributes only). Every HTTP attempt is counted ([`AwsProvider::requests`]),
//! which is how the bulk-refresh tests prove they use list calls. Throttling and 5xx answers
//! are retried by the SDK's standard retry mode (exponential backoff with jitter; the JSON
//! client does the same): 5 attempts for reads and updates (`max_retries` + 1), at least 10 for
//! creates and deletes.

mod assume_role;
pub mod autoscaling_group;
pub mod cloudwatch_log_group;
pub mod cloudwatch_log_metric_filter;
pub mod cloudwatch_metric_alarm;
pub mod data_ami;
pub mod data_availability_zones;
pub mod data_caller_identity;
pub mod data_canonical_user_id;
pub mod data_iam_policy_document;
pub mod data_partition;
pub mod data_region;
pub mod data_s3_bucket;
pub mod data_s3_object;
pub mod data_s3_objects;
pub mod data_secretsmanager_secret_version;
pub mod data_security_group;
pub mod data_ssm_parameter;
pub mod data_subnet;
pub mod data_subnets;
pub mod data_vpc;
pub mod db_instance;
pub mod db_subnet_group;
pub mod default_network_acl;
pub mod default_route_table;
pub mod default_security_group;
pub mod default_vpc;
pub mod dynamodb_table;
pub mod ebs_volume;
mod ec2;
mod ec2_data;
pub mod ec2_tag;
pub mod ecs_cluster;
mod ecs_container_definitions;
pub mod ecs_service;
pub mod ecs_task_definition;
pub mod egress_only_internet_gateway;
pub mod eip;
mod errors;
pub mod flow_log;
mod iam_common;
pub mod iam_instance_profile;
pub mod iam_policy;
mod iam_policy_doc;
mod iam_policy_json;
pub mod iam_role;
pub mod iam_role_policy;
pub mod iam_role_policy_attachment;
pub mod iam_user;
pub mod instance;
pub mod internet_gateway;
pub mod json_api;
pub mod key_pair;
pub mod kms_alias;
pub mod kms_key;
pub mod lambda_function;
pub mod lambda_permission;
pub mod launch_template;
pub mod lb;
pub mod lb_listener;
pub mod lb_target_group;
pub mod nat_gateway;
pub mod network_acl;
pub mod network_acl_rule;
pub mod network_interface;
pub mod query_api;
pub mod rest_api;
pub mod rest_xml;
pub mod route;
pub mod route53_record;
pub mod route53_zone;
pub mod route_table;
pub mod route_table_association;
pub mod s3_bucket;
pub mod s3_bucket_acl;
mod s3_bucket_common;
pub mod s3_bucket_cors_configuration;
pub mod s3_bucket_lifecycle_configuration;
pub mod s3_bucket_logging;
pub mod s3_bucket_notification;
pub mod s3_bucket_object_lock_configuration;
pub mod s3_bucket_ownership_controls;
pub mod s3_bucket_policy;
pub mod s3_bucket_public_access_block;
pub mod s3_bucket_replication_configuration;
pub mod s3_bucket_server_side_encryption_configuration;
pub mod s3_bucket_versioning;
pub mod s3_bucket_website_configuration;
pub mod s3_object;
pub mod secretsmanager_secret;
pub mod secretsmanager_secret_version;
pub mod security_group;
pub mod security_group_rule;
mod signed;
pub mod sns_topic;
pub mod sns_topic_subscription;
pub mod sqs_queue;
pub mod ssm_parameter;
pub mod subnet;
pub mod volume_attachment;
pub mod vpc;
pub mod vpc_dhcp_options;
pub mod vpc_dhcp_options_association;
pub mod vpc_security_group_egress_rule;
pub mod vpc_security_group_ingress_rule;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};

use super::kit::table;
use super::{AttrType, AttributeSchema, BlockSchema, Dispatch, Nesting, Provider, ProviderFactory, ProviderSchema, Types};
use crate::diag::{Diagnostic, Diagnostics};
use crate::value::Value;

pub use errors::aws_error;

/// The AWS provider factory.
pub struct AwsFactory {
    /// Built on first use: a configuration without this provider never pays for its schema.
    schema: std::sync::OnceLock<ProviderSchema>,
}

impl Default for AwsFactory {
    fn default() -> Self {
        Self::new()
    }
}

impl AwsFactory {
    pub fn new() -> AwsFactory {
        AwsFactory { schema: std::sync::OnceLock::new() }
    }

    /// The provider block, resource and data source schemas.
    fn provider_schema() -> ProviderSchema {
        let s = |t| AttributeSchema::optional().typed(t);
        let provider = BlockSchema::new([
            ("region", s(AttrType::String)),
            ("profile", s(AttrType::String)),
            ("access_key", s(AttrType::String).sensitive()),
            ("secret_key", s(AttrType::String).sensitive()),
            ("token", s(AttrType::String).sensitive()),
            ("s3_use_path_style", s(AttrType::Bool)),
            ("skip_credentials_validation", s(AttrType::Bool)),
            ("skip_region_validation", s(AttrType::Bool)),
            ("skip_requesting_account_id", s(AttrType::Bool)),
            ("skip_metadata_api_check", s(AttrType::Bool)),
            ("max_retries", s(AttrType::Number)),
        ])
        .with_block(
            "endpoints",
            Nesting::Single,
            BlockSchema::new(
                [
                    "s3",
                    "ec2",
                    "iam",
                    "sts",
                    "kms",
                    "ssm",
                    "secretsmanager",
                    "logs",
                    "cloudwatchlogs",
                    "sqs",
                    "dynamodb",
                    "ecs",
                    "sns",
                    "cloudwatch",
                    "lambda",
                    "route53",
                    "rds",
                    "elbv2",
                    "autoscaling",
                ]
                .map(|k| (k, s(AttrType::String))),
            ),
        )
        .with_block("default_tags", Nesting::Single, BlockSchema::new([("tags", s(AttrType::MapOfString))]))
        .with_block("assume_role", Nesting::List, assume_role::assume_role_schema())
        .with_block("assume_role_with_web_identity", Nesting::List, assume_role::web_identity_schema());
        let (resources, data_sources) = AwsProvider::types().schemas();
        let provider = crate::schema::generated::provider_block_with("aws", provider);
        ProviderSchema { provider, resources, data_sources }
    }

    /// Builds the driver with its concrete type (tests read its request counter).
    pub async fn connect(&self, config: &Value) -> Result<Arc<AwsProvider>, Diagnostics> {
        let text = |name: &str| config.get_attr(name).and_then(|v| v.as_str()).map(str::to_string);
        let flag = |name: &str| matches!(config.get_attr(name), Some(Value::Bool(true)));
        let region = text("region").or_else(|| std::env::var("AWS_REGION").ok()).or_else(|| std::env::var("AWS_DEFAULT_REGION").ok()).ok_or_else(
            || -> Diagnostics {
                Diagnostic::error("Missing AWS region", "Set `region` in the provider \"aws\" block, or the AWS_REGION environment variable.").into()
            },
        )?;
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).region(aws_config::Region::new(region.clone()));
        if let (Some(ak), Some(sk)) = (text("access_key"), text("secret_key")) {
            loader = loader.credentials_provider(aws_sdk_s3::config::Credentials::new(ak, sk, text("token"), None, "skyform-provider-block"));
        } else if let Some(p) = text("profile") {
            loader = loader.profile_name(p);
        }
        let attempts = config.get_attr("max_retries").and_then(|v| v.as_f64()).map(|n| n as u32 + 1).unwrap_or(5);
        loader = loader.retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(attempts));
        let sdk = loader.load().await;
        let endpoint = |name: &str| config.get_attr("endpoints").and_then(|e| e.get_attr(name)).and_then(|v| v.as_str()).map(str::to_string);
        let sdk = assume_role::with_web_identity(sdk, config, endpoint("sts")).await?;
        if !flag("skip_credentials_validation") {
            check_credentials(&sdk, text("profile").as_deref()).await?;
        }
        let counter = Arc::new(RequestCounter::default());
        let sdk = assume_role::assume_roles(sdk, config, endpoint("sts")).await?;

        let mut s3 = aws_sdk_s3::config::Builder::from(&sdk).interceptor(CountingInterceptor(counter.clone()));
        if let Some(url) = endpoint("s3") {
            s3 = s3.endpoint_url(url);
        }
        s3 = s3.force_path_style(flag("s3_use_path_style"));
        let default_tags: BTreeMap<String, String> = match config.get_attr("default_tags").and_then(|d| d.get_attr("tags")) {
            Some(Value::Map(m)) => m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect(),
            _ => BTreeMap::new(),
        };
        let mut ec2 = aws_sdk_ec2::config::Builder::from(&sdk).interceptor(CountingInterceptor(counter.clone()));
        if let Some(url) = endpoint("ec2") {
            ec2 = ec2.endpoint_url(url);
        }
        // Creates and deletes get a raised retry budget: failing one half-way costs more than
        // waiting (a throttled RunInstances, a DeleteVpc racing its last subnet's deletion).
        let raised = aws_config::retry::RetryConfig::standard().with_max_attempts(attempts.max(10)).with_max_backoff(std::time::Duration::from_secs(30));
        // IAM and STS: AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL come from
        // the SDK config (`from(&sdk)`); `endpoints { iam, sts }` overrides them.
        let mut iam = aws_sdk_iam::config::Builder::from(&sdk).interceptor(CountingInterceptor(counter.clone()));
        if let Some(url) = endpoint("iam") {
            iam = iam.endpoint_url(url);
        }
        let mut sts = aws_sdk_sts::config::Builder::from(&sdk).interceptor(CountingInterceptor(counter.clone()));
        if let Some(url) = endpoint("sts") {
            sts = sts.endpoint_url(url);
        }
        let setup = signed::Setup { sdk: &sdk, region: &region, configured: &endpoint, counter: counter.clone(), attempts: (attempts, attempts.max(10)) };
        // KMS, SSM, Secrets Manager, CloudWatch Logs, SQS and DynamoDB: the JSON-protocol client.
        let json = json_api::JsonApi::new(&setup);
        // SNS and CloudWatch: the Query-protocol client.
        let query = query_api::QueryApi::new(&setup);
        // Lambda: the REST-JSON client.
        let rest = rest_api::RestApi::new(&setup);
        // Route 53: the REST-XML client.
        let route53 = rest_xml::RestXml::new(&setup);
        let (s3, ec2, iam) = (s3.build(), ec2.build(), iam.build());
        let s3_write = aws_sdk_s3::Client::from_conf(s3.to_builder().retry_config(raised.clone()).build());
        let ec2_write = aws_sdk_ec2::Client::from_conf(ec2.to_builder().retry_config(raised.clone()).build());
        let iam_write = aws_sdk_iam::Client::from_conf(iam.to_builder().retry_config(raised).build());
        Ok(Arc::new(AwsProvider {
            region,
            s3: aws_sdk_s3::Client::from_conf(s3),
            ec2: aws_sdk_ec2::Client::from_conf(ec2),
            iam: aws_sdk_iam::Client::from_conf(iam),
            sts: aws_sdk_sts::Client::from_conf(sts.build()),
            s3_write,
            ec2_write,
            iam_write,
            json,
            query,
            rest,
            route53,
            default_tags,
            counter,
        }))
    }
}

#[async_trait]
impl ProviderFactory for AwsFactory {
    fn name(&self) -> &'static str {
        "aws"
    }
    fn schema(&self) -> &ProviderSchema {
        self.schema.get_or_init(Self::provider_schema)
    }
    async fn configure(&self, config: Value) -> Result<Arc<dyn Provider>, Diagnostics> {
        Ok(self.connect(&config).await?)
    }
}

/// Fails configuration, once and in plain words, when no credential source yields credentials
/// (instead of one long SDK error per resource later).
async fn check_credentials(sdk: &aws_config::SdkConfig, profile: Option<&str>) -> Result<(), Diagnostics> {
    use aws_sdk_s3::config::ProvideCredentials;
    let Some(provider) = sdk.credentials_provider() else { return Ok(()) };
    let Err(e) = provider.provide_credentials().await else { return Ok(()) };
    let profile = profile.map(str::to_string).or_else(|| std::env::var("AWS_PROFILE").ok()).unwrap_or_else(|| "default".into());
    let why = e.to_string();
    Err(Diagnostic::error(
        "No valid credential sources found",
        format!(
            "The aws provider found no credentials ({why}). Tried, in order: access_key/secret_key in the provider block; the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables; profile \"{profile}\" of the shared config and credentials files (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE/AWS_SHARED_CREDENTIALS_FILE); web identity (AWS_WEB_IDENTITY_TOKEN_FILE); the ECS container and EC2 instance metadata endpoints.\n\nSet one of them, or set skip_credentials_validation = true for an endpoint that needs none."
        ),
    )
    .into())
}

/// Counts HTTP attempts (retries included).
#[derive(Default, Debug)]
pub struct RequestCounter {
    total: AtomicU64,
}

#[derive(Debug)]
struct CountingInterceptor(Arc<RequestCounter>);

impl Intercept for CountingInterceptor {
    fn name(&self) -> &'static str {
        "skyform-request-counter"
    }
    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        self.0.total.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
    /// Each attempt of the SDK clients in the `TF_LOG` log (method, URL, status; no body).
    fn read_after_transmit(
        &self,
        context: &aws_sdk_s3::config::interceptors::BeforeDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        crate::log::log(crate::log::Level::Debug, "aws", || {
            let status = context.response().status().as_u16();
            match context.inner().request() {
                Some(r) => format!("{} {} (sdk) -> {status}", r.method(), r.uri()),
                None => format!("(sdk) -> {status}"),
            }
        });
        Ok(())
    }
}

/// A configured AWS driver.
pub struct AwsProvider {
    pub(crate) region: String,
    pub(crate) s3: aws_sdk_s3::Client,
    pub(crate) ec2: aws_sdk_ec2::Client,
    pub(crate) iam: aws_sdk_iam::Client,
    pub(crate) sts: aws_sdk_sts::Client,
    /// The same clients with the raised retry budget, for creates and deletes.
    pub(crate) s3_write: aws_sdk_s3::Client,
    pub(crate) ec2_write: aws_sdk_ec2::Client,
    pub(crate) iam_write: aws_sdk_iam::Client,
    /// KMS, SSM, Secrets Manager, CloudWatch Logs, SQS, DynamoDB and ECS.
    pub(crate) json: json_api::JsonApi,
    /// SNS and CloudWatch.
    pub(crate) query: query_api::QueryApi,
    /// Lambda.
    pub(crate) rest: rest_api::RestApi,
    /// Route 53.
    pub(crate) route53: rest_xml::RestXml,
    /// `default_tags { tags = {...} }`, merged under every resource's `tags` into `tags_all`.
    pub(crate) default_tags: BTreeMap<String, String>,
    counter: Arc<RequestCounter>,
}

impl AwsProvider {
    /// HTTP requests sent so far (every attempt, to any service).
    pub fn requests(&self) -> u64 {
        self.counter.total.load(Ordering::Relaxed)
    }

    /// The attempts (first try included) of reads and updates, and of creates and deletes.
    pub fn retry_attempts(&self) -> (u32, u32) {
        let attempts = |c: Option<&aws_config::retry::RetryConfig>| c.map(|r| r.max_attempts()).unwrap_or(1);
        (attempts(self.s3.config().retry_config()), attempts(self.ec2_write.config().retry_config()))
    }

    /// `tags_all`: the default tags overlaid with the resource's own (unknown if those are).
    pub(crate) fn tags_all(&self, tags: &Value) -> Value {
        let mut all: BTreeMap<String, Value> = self.default_tags.iter().map(|(k, v)| (k.clone(), Value::string(v))).collect();
        match tags {
            Value::Map(m) => {
                for (k, v) in m.iter() {
                    all.insert(k.clone(), v.clone());
                }
            }
            Value::Null => {}
            _ => return Value::Unknown,
        }
        Value::Map(Arc::new(all))
    }

    /// The resource's own `tags` from the tags found on the object: those that are not default
    /// tags with their default value.
    pub(crate) fn own_tags(&self, remote: &BTreeMap<String, String>, configured: &Value) -> Value {
        let own: BTreeMap<String, Value> = remote
            .iter()
            .filter(|(k, v)| self.default_tags.get(*k) != Some(v) || configured.get_attr(k).is_some())
            .map(|(k, v)| (k.clone(), Value::string(v)))
            .collect();
        if own.is_empty() && configured.is_null() {
            Value::Null
        } else {
            Value::Map(Arc::new(own))
        }
    }
}

impl Dispatch for AwsProvider {
    /// The AWS registration list: one line per resource type and data source.
    fn types() -> &'static Types<Self> {
        static TYPES: std::sync::OnceLock<Types<AwsProvider>> = std::sync::OnceLock::new();
        table(&TYPES, || {
            Types::new(
                &[
                    &s3_bucket::S3Bucket,
                    &s3_bucket_versioning::S3BucketVersioning,
                    &s3_bucket_policy::S3BucketPolicy,
                    &s3_bucket_public_access_block::S3BucketPublicAccessBlock,
                    &s3_bucket_server_side_encryption_configuration::S3BucketServerSideEncryptionConfiguration,
                    &s3_bucket_ownership_controls::S3BucketOwnershipControls,
                    &s3_bucket_lifecycle_configuration::S3BucketLifecycleConfiguration,
                    &s3_bucket_cors_configuration::S3BucketCorsConfiguration,
                    &s3_bucket_website_configuration::S3BucketWebsiteConfiguration,
                    &s3_bucket_acl::S3BucketAcl,
                    &s3_bucket_logging::S3BucketLogging,
                    &s3_bucket_notification::S3BucketNotification,
                    &s3_bucket_replication_configuration::S3BucketReplicationConfiguration,
                    &s3_bucket_object_lock_configuration::S3BucketObjectLockConfiguration,
                    &s3_object::S3Object,
                    &vpc::AwsVpc,
                    &subnet::AwsSubnet,
                    &instance::AwsInstance,
                    &security_group::AwsSecurityGroup,
                    &internet_gateway::AwsInternetGateway,
                    &route_table::AwsRouteTable,
                    &route::AwsRoute,
                    &route_table_association::AwsRouteTableAssociation,
                    &eip::AwsEip,
                    &nat_gateway::AwsNatGateway,
                    &vpc_security_group_ingress_rule::INGRESS,
                    &vpc_security_group_egress_rule::EGRESS,
                    &key_pair::AwsKeyPair,
                    &security_group_rule::AwsSecurityGroupRule,
                    &network_acl::AwsNetworkAcl,
                    &network_acl_rule::AwsNetworkAclRule,
                    &default_network_acl::AwsDefaultNetworkAcl,
                    &default_security_group::AwsDefaultSecurityGroup,
                    &default_route_table::AwsDefaultRouteTable,
                    &egress_only_internet_gateway::AwsEgressOnlyInternetGateway,
                    &network_interface::AwsNetworkInterface,
                    &default_vpc::AwsDefaultVpc,
                    &flow_log::AwsFlowLog,
                    &vpc_dhcp_options::AwsVpcDhcpOptions,
                    &vpc_dhcp_options_association::AwsVpcDhcpOptionsAssociation,
                    &ec2_tag::AwsEc2Tag,
                    &iam_role::IamRole,
                    &iam_policy::IamPolicy,
                    &iam_role_policy::IamRolePolicy,
                    &iam_role_policy_attachment::IamRolePolicyAttachment,
                    &iam_instance_profile::IamInstanceProfile,
                    &iam_user::IamUser,
                    &kms_key::KmsKey,
                    &kms_alias::KmsAlias,
                    &ssm_parameter::SsmParameter,
                    &secretsmanager_secret::SecretsManagerSecret,
                    &secretsmanager_secret_version::SecretsManagerSecretVersion,
                    &cloudwatch_log_group::CloudwatchLogGroup,
                    &sqs_queue::SqsQueue,
                    &dynamodb_table::DynamodbTable,
                    &cloudwatch_log_metric_filter::CloudwatchLogMetricFilter,
                    &ecs_cluster::EcsCluster,
                    &ecs_task_definition::EcsTaskDefinition,
                    &ecs_service::EcsService,
                    &sns_topic::SnsTopic,
                    &sns_topic_subscription::SnsTopicSubscription,
                    &cloudwatch_metric_alarm::CloudwatchMetricAlarm,
                    &lambda_function::LambdaFunction,
                    &lambda_permission::LambdaPermission,
                    &route53_zone::Route53Zone,
                    &route53_record::Route53Record,
                    &db_subnet_group::DbSubnetGroup,
                    &db_instance::DbInstance,
                    &lb::Lb,
                    &lb_target_group::LbTargetGroup,
                    &lb_listener::LbListener,
                    &ebs_volume::EbsVolume,
                    &volume_attachment::VolumeAttachment,
                    &launch_template::LaunchTemplate,
                    &autoscaling_group::AutoscalingGroup,
                ],
                &[
                    &data_vpc::DataVpc,
                    &data_s3_bucket::DataS3Bucket,
                    &data_s3_object::DataS3Object,
                    &data_s3_objects::DataS3Objects,
                    &data_iam_policy_document::DataIamPolicyDocument,
                    &data_caller_identity::DataCallerIdentity,
                    &data_canonical_user_id::DataCanonicalUserId,
                    &data_region::DataRegion,
                    &data_partition::DataPartition,
                    &data_ssm_parameter::DataSsmParameter,
                    &data_secretsmanager_secret_version::DataSecretsManagerSecretVersion,
                    &data_availability_zones::DataAvailabilityZones,
                    &data_ami::DataAmi,
                    &data_subnets::DataSubnets,
                    &data_subnet::DataSubnet,
                    &data_security_group::DataSecurityGroup,
                ],
            )
        })
    }
}
