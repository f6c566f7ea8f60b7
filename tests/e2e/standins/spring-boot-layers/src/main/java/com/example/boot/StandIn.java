package com.example.boot;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Stands in for a Spring Boot jar: its layer extraction and its start (see standin.xml). */
public final class StandIn {
    public static void main(String[] args) throws Exception {
        if ("tools".equals(System.getProperty("jarmode"))) {
            extract(args);
            return;
        }
        Properties settings = new Properties();
        try (InputStream in = StandIn.class.getResourceAsStream("/application.properties")) {
            settings.load(in);
        }
        int port = Integer.parseInt(settings.getProperty("server.port", "8080"));
        String dependency;
        try (InputStream in = StandIn.class.getResourceAsStream("/standin-dependency.txt")) {
            // Only on the classpath when dependencies/lib/ landed beside the application jar.
            dependency = in == null ? "missing" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        byte[] body = ("hello from the spring boot layers; dependency " + dependency + "\n")
            .getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    private static void extract(String[] args) throws Exception {
        if (args.length != 4 || !"extract".equals(args[0]) || !"--layers".equals(args[1])
                || !"--destination".equals(args[2])) {
            System.err.println("usage: java -Djarmode=tools -jar JAR extract --layers --destination DIR");
            System.exit(2);
        }
        Path destination = Path.of(args[3]);
        for (String layer : new String[] {"dependencies/lib", "spring-boot-loader", "snapshot-dependencies", "application"}) {
            Files.createDirectories(destination.resolve(layer));
        }
        Path self = Path.of(StandIn.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Files.copy(self, destination.resolve("application").resolve(self.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
        Path lib = destination.resolve("dependencies/lib/standin-dependency.jar");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(lib), manifest)) {
            jar.putNextEntry(new JarEntry("standin-dependency.txt"));
            jar.write("loaded from lib/".getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
    }
}
