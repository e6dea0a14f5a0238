use super::*;

/// Formats every `*.tf` in `$FMT_IN` and compares with the same file in `$FMT_WANT`.
#[test]
#[ignore]
fn compare_with_directory() {
    let (Ok(input), Ok(want)) = (std::env::var("FMT_IN"), std::env::var("FMT_WANT")) else { return };
    let mut failures = 0;
    for entry in std::fs::read_dir(&input).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = std::fs::read_to_string(std::path::Path::new(&want).join(&name)).unwrap();
        match format_file(&name, &text) {
            Ok(got) if got == expected => {}
            Ok(got) => {
                failures += 1;
                let diff = similar::TextDiff::from_lines(&expected, &got);
                println!("MISMATCH {name}\n{}", diff.unified_diff().header("terraform", "skyform"));
            }
            Err(e) => {
                failures += 1;
                println!("ERROR {name}: {e}");
            }
        }
    }
    assert_eq!(failures, 0);
}
