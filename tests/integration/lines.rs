//! The fixed default images the presets name are release lines that are still supported: an expired default
//! (alpine 3.20 after April 2026) fails here rather than ship.

use std::time::{SystemTime, UNIX_EPOCH};

const IMAGES_TOML: &str = include_str!("../../src/knowledge/images/lines.toml");

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
                    "{}: {key} = {default}: src/knowledge/images/lines.toml has no {image} {version} line",
                    preset.name
                )
            };
            assert!(
                *end >= today(),
                "{}: {key} = {default}: {image} {version} is no longer supported (src/knowledge/images/lines.toml): \
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

/// Days since 1970 of a TOML date.
fn day_of(value: &toml::Value) -> i64 {
    let date = value.as_datetime().expect("a date").date.expect("a day");
    days_from_civil(i64::from(date.year), i64::from(date.month), i64::from(date.day))
}

/// The line of a language table with this version, as its TOML table.
fn language_line(table: &toml::Table, version: &str) -> toml::Table {
    table["line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line.as_table().unwrap().clone())
        .find(|line| {
            let v = &line["version"];
            v.as_str().map_or_else(|| v.to_string(), str::to_string) == version
        })
        .unwrap_or_else(|| panic!("no line {version}"))
}

/// The language lines dockgen picks when the repository names none are supported: Go's oldest maintained line
/// (the one a module asking for an older minimum builds with), Node's current LTS and the Maven preset's Java
/// release. Go's `oldest_maintained` is the oldest line not yet past its date, so it moves with each release.
#[test]
fn the_default_language_lines_are_supported() {
    let go: toml::Table = toml::from_str(include_str!("../../src/knowledge/go/lines.toml")).unwrap();
    let oldest = go["oldest_maintained"].as_str().unwrap();
    let maintained: Vec<String> = go["line"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|line| day_of(&line["end_of_support"]) >= today())
        .map(|line| line["version"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        maintained.last().map(String::as_str),
        Some(oldest),
        "src/knowledge/go/lines.toml: oldest_maintained = {oldest}, but the maintained lines are {maintained:?}"
    );

    let node: toml::Table = toml::from_str(include_str!("../../src/knowledge/node/lines.toml")).unwrap();
    let lts = node["current_lts"].to_string();
    let line = language_line(&node, &lts);
    assert!(line["lts"].as_bool().unwrap(), "node {lts} is not an LTS line");
    assert!(
        day_of(&line["end_of_support"]) >= today(),
        "src/knowledge/node/lines.toml: current_lts = {lts} is past its end of life: move it to the newest LTS line"
    );

    let oldest = node["oldest_maintained"].as_integer().unwrap();
    let maintained: Vec<i64> = node["line"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|line| line["lts"].as_bool() == Some(true) && day_of(&line["end_of_support"]) >= today())
        .map(|line| line["version"].as_integer().unwrap())
        .collect();
    assert_eq!(
        maintained.first().copied(),
        Some(oldest),
        "src/knowledge/node/lines.toml: oldest_maintained = {oldest}, but the supported LTS lines are {maintained:?}"
    );

    let python: toml::Table = toml::from_str(include_str!("../../src/knowledge/python/lines.toml")).unwrap();
    let oldest = python["oldest_maintained"].as_str().unwrap();
    let maintained: Vec<&str> = python["line"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|line| day_of(&line["end_of_support"]) >= today())
        .map(|line| line["version"].as_str().unwrap())
        .collect();
    assert_eq!(
        maintained.last().copied(),
        Some(oldest),
        "src/knowledge/python/lines.toml: oldest_maintained = {oldest}, but the maintained lines are {maintained:?}"
    );

    // Every preset's literal Node default (node-server, node-static, Go's embedded front-end) is that line.
    let presets = dockgen::preset::builtin().unwrap();
    for preset in &presets {
        for (key, answer) in preset.answers.iter().filter(|(key, _)| key.ends_with("node_version")) {
            if let Some(default) = answer.default.as_ref().and_then(toml::Value::as_str) {
                assert_eq!(
                    default, lts,
                    "{}: {key} = {default}, but current_lts = {lts}",
                    preset.name
                );
            }
        }
    }

    let java: toml::Table = toml::from_str(include_str!("../../src/knowledge/jvm/lines.toml")).unwrap();
    let maven = presets.into_iter().find(|p| p.name == "maven").unwrap();
    let release = maven.answers["java_version"]
        .default
        .as_ref()
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    let line = language_line(&java, &release);
    assert!(line["lts"].as_bool().unwrap(), "java {release} is not an LTS line");
    assert!(
        day_of(&line["end_of_support"]) >= today(),
        "the maven preset's java_version = {release} is past Temurin's support (src/knowledge/jvm/lines.toml)"
    );
}

/// Every backing service compose.yaml runs is on a supported line: an expired image line fails here, to be
/// moved in src/knowledge/services/services.toml.
#[test]
fn every_backing_service_image_is_a_supported_line() {
    let table: toml::Table = toml::from_str(include_str!("../../src/knowledge/services/services.toml")).unwrap();
    let mut checked = 0;
    for service in table["service"].as_array().unwrap() {
        let Some(image) = service.get("image").and_then(toml::Value::as_str) else {
            continue;
        };
        let end = service
            .get("end_of_support")
            .unwrap_or_else(|| panic!("{image}: no end_of_support in services.toml"));
        assert!(
            day_of(end) >= today(),
            "src/knowledge/services/services.toml: {image} is no longer supported: move it to a supported line"
        );
        checked += 1;
    }
    assert!(
        checked >= 7,
        "postgres, mysql, mariadb, mongodb, redis, rabbitmq and kafka"
    );
}
