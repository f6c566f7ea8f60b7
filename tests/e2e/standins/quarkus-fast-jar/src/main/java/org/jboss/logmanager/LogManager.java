package org.jboss.logmanager;

/** Stands in for JBoss LogManager, which the Quarkus ENTRYPOINT names with -Djava.util.logging.manager. */
public class LogManager extends java.util.logging.LogManager {
}
