//! What every JVM build tool's probe reads besides its build file, shared by them (Maven now, Gradle next):
//! the Java and Kotlin sources (main classes, listen calls, framework annotations) and the Spring, Quarkus and
//! Micronaut configuration files (`application.properties`/`.yml`). The tables behind it are data in
//! `src/knowledge/jvm/`.

pub(in crate::detect) mod config;
pub(in crate::detect) mod sources;
