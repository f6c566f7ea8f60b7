//! The OS family of an image (families.toml; lines.toml holds the support dates of the fixed default images), which decides how the runtime stage adds its user: from the name
//! and tag, never by pulling.

use std::sync::OnceLock;

use anyhow::Result;
use serde::Deserialize;

use super::table;
use crate::validate;

const IMAGES_TOML: &str = include_str!("families.toml");

#[derive(Deserialize, Default)]
struct Families {
    alpine: Vec<String>,
    debian: Vec<String>,
    debian_based: Vec<String>,
}

/// A knowledge folder's own `images.toml`: its language images that are Debian-based.
#[derive(Deserialize, Default)]
struct AreaImages {
    debian_based: Vec<String>,
}

/// The families, with every knowledge folder's Debian-based images added.
fn families() -> &'static Families {
    static FAMILIES: OnceLock<Families> = OnceLock::new();
    FAMILIES.get_or_init(|| {
        let mut families: Families = table(IMAGES_TOML);
        for (_, text) in super::AREA_IMAGES {
            families.debian_based.extend(table::<AreaImages>(text).debian_based);
        }
        families
    })
}

/// `alpine`, `debian`, `distroless` or `scratch`; an image none of them names is an error saying so.
pub(crate) fn image_family(reference: &str) -> Result<&'static str> {
    validate::image_reference(reference)?;
    let without_digest = reference.split('@').next().unwrap_or(reference);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    let (name, tag) = last.split_once(':').unwrap_or((last, ""));
    let has = |words: &[String]| {
        words
            .iter()
            .any(|w| name == *w || tag.split(['-', '.']).any(|part| part == *w))
    };
    let known = families();
    if reference == "scratch" {
        // The empty image: nothing to add a user with, no shell; the template brings what the program needs.
        Ok("scratch")
    } else if without_digest.contains("distroless") {
        Ok("distroless")
    } else if has(&known.alpine) {
        Ok("alpine")
    } else if has(&known.debian) || known.debian_based.iter().any(|n| n == name) {
        Ok("debian")
    } else {
        anyhow::bail!("cannot tell how `{reference}` adds a user (not an alpine, Debian or distroless image)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_parse() {
        let parsed: Families = toml::from_str(IMAGES_TOML).unwrap();
        assert!(!parsed.alpine.is_empty() && !parsed.debian.is_empty() && !parsed.debian_based.is_empty());
        assert!(super::super::AREA_IMAGES.len() >= 3);
        for (area, text) in super::super::AREA_IMAGES {
            let parsed: AreaImages = toml::from_str(text).unwrap_or_else(|e| panic!("{area}/images.toml: {e}"));
            assert!(!parsed.debian_based.is_empty(), "{area}/images.toml lists no image");
        }
    }

    #[test]
    fn image_family_comes_from_name_and_tag() {
        assert_eq!(image_family("alpine:3.20").unwrap(), "alpine");
        assert_eq!(image_family("golang:1.23-alpine").unwrap(), "alpine");
        assert_eq!(image_family("debian:bookworm-slim").unwrap(), "debian");
        assert_eq!(
            image_family("gcr.io/distroless/static-debian12:nonroot").unwrap(),
            "distroless"
        );
        assert_eq!(image_family("scratch").unwrap(), "scratch");
        assert!(image_family("myorg/scratch:1").is_err());
        assert!(image_family("myorg/base:1.0")
            .unwrap_err()
            .to_string()
            .contains("adds a user"));
        assert_eq!(image_family("eclipse-temurin:17-jre").unwrap(), "debian");
        assert_eq!(image_family("eclipse-temurin:17-jre-alpine").unwrap(), "alpine");
    }
}
