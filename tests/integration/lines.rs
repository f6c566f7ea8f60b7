//! The fixed default images the presets name are release lines that are still supported: an expired default
//! (alpine 3.20 after April 2026) fails here rather than ship.

use std::time::{SystemTime, UNIX_EPOCH};

const IMAGES_TOML: &str = include_str!("../../presets/lines/images.toml");

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn today() -> i64 {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    i64::try_from(seconds / 86_400).unwrap()
}

/// (image, version, last supported day) of every line in the table.
fn lines() -> Vec<(String, String, i64)> {
    let table: toml::Table = toml::from_str(IMAGES_TOML).unwrap();
    table["line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            let date = line["end_of_support"].as_datetime().unwrap().date.unwrap();
            (
                line["image"].as_str().unwrap().to_string(),
                line["version"].as_str().unwrap().to_string(),
                days_from_civil(i64::from(date.year), i64::from(date.month), i64::from(date.day)),
            )
        })
        .collect()
}

/// `nginx:1.30-alpine` → (`nginx`, `1.30`); `alpine:3.24` → (`alpine`, `3.24`); templated tags are skipped.
fn image_line(reference: &str) -> Option<(&str, &str)> {
    let (image, tag) = reference.split_once(':')?;
    let version = tag.split('-').next()?;
    (!tag.contains("{{") && version.chars().all(|c| c.is_ascii_digit() || c == '.')).then_some((image, version))
}

#[test]
fn every_fixed_default_image_is_a_supported_line() {
    let lines = lines();
    assert_eq!(days_from_civil(2026, 11, 28) - days_from_civil(2026, 4, 1), 241);
    let mut checked = 0;
    for preset in dockgen::preset::builtin().unwrap() {
        for (key, answer) in &preset.answers {
            let Some(default) = answer.default.as_ref().and_then(toml::Value::as_str) else {
                continue;
            };
            let Some((image, version)) = image_line(default) else {
                continue;
            };
            let line = lines.iter().find(|(i, v, _)| i == image && v == version);
            let Some((_, _, end)) = line else {
                panic!(
                    "{}: {key} = {default}: presets/lines/images.toml has no {image} {version} line",
                    preset.name
                )
            };
            assert!(
                *end >= today(),
                "{}: {key} = {default}: {image} {version} is no longer supported (presets/lines/images.toml): \
                 move the default to a supported line",
                preset.name
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 2,
        "the Go runtime and the static-site server are fixed defaults"
    );
}
