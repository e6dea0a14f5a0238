//! The baseline for `scripts/bench-aws`: N PutObject calls with the bare aws-sdk-s3 client at a
//! fixed concurrency, against an endpoint (moto). Prints the objects per second.
//! Usage: s3_put_loop ENDPOINT BUCKET COUNT CONCURRENCY

use std::time::Instant;

use futures::stream::{self, StreamExt};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, endpoint, bucket, count, concurrency] = args.as_slice() else {
        eprintln!("usage: s3_put_loop ENDPOINT BUCKET COUNT CONCURRENCY");
        std::process::exit(2);
    };
    let count: usize = count.parse().expect("COUNT");
    let concurrency: usize = concurrency.parse().expect("CONCURRENCY");
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("eu-west-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new("test", "test", None, None, "bench"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(conf);
    let cfg = aws_sdk_s3::types::CreateBucketConfiguration::builder().location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1).build();
    s3.create_bucket().bucket(bucket).create_bucket_configuration(cfg).send().await.expect("create bucket");
    let start = Instant::now();
    let results: Vec<bool> = stream::iter(0..count)
        .map(|i| {
            let s3 = s3.clone();
            async move {
                s3.put_object()
                    .bucket(bucket)
                    .key(format!("obj/{i:05}.txt"))
                    .body(format!("object {i}\n").into_bytes().into())
                    .content_type("text/plain")
                    .send()
                    .await
                    .is_ok()
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let secs = start.elapsed().as_secs_f64();
    let ok = results.iter().filter(|x| **x).count();
    println!("{ok} objects in {secs:.3} s: {:.1} objects/s", ok as f64 / secs);
}
