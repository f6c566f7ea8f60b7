package org.acme.standin;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Lays out target/quarkus-app like Quarkus' fast-jar, from the plain jar the stand-in pom builds. */
public final class Arrange {
    public static void main(String[] args) throws Exception {
        Path app = Path.of("target/quarkus-app");
        for (String dir : new String[] {"lib/main", "app", "quarkus"}) {
            Files.createDirectories(app.resolve(dir));
        }
        Files.copy(Path.of("target/fast-jar-1.0.0-SNAPSHOT.jar"), app.resolve("app/fast-jar-1.0.0-SNAPSHOT.jar"),
            StandardCopyOption.REPLACE_EXISTING);
        jar(app.resolve("lib/main/standin-dependency.jar"), "standin-dependency.txt", "lib/main", null);
        jar(app.resolve("quarkus/generated-bytecode.jar"), "standin-generated.txt", "quarkus", null);
        Manifest run = new Manifest();
        run.getMainAttributes().putValue("Manifest-Version", "1.0");
        run.getMainAttributes().putValue("Main-Class", "org.acme.standin.Server");
        run.getMainAttributes().putValue("Class-Path",
            "app/fast-jar-1.0.0-SNAPSHOT.jar lib/main/standin-dependency.jar quarkus/generated-bytecode.jar");
        jar(app.resolve("quarkus-run.jar"), null, null, run);
    }

    private static void jar(Path path, String entry, String text, Manifest manifest) throws Exception {
        if (manifest == null) {
            manifest = new Manifest();
            manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
        }
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(path), manifest)) {
            if (entry != null) {
                jar.putNextEntry(new JarEntry(entry));
                jar.write(("loaded from " + text + "/").getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
    }
}
