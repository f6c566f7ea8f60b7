package org.acme.standin;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** Stands in for a Quarkus application started by quarkus-run.jar (see standin.xml). */
public final class Server {
    public static void main(String[] args) throws Exception {
        Properties settings = new Properties();
        try (InputStream in = Server.class.getResourceAsStream("/application.properties")) {
            settings.load(in);
        }
        int port = Integer.parseInt(settings.getProperty("quarkus.http.port", "8080"));
        String body = "hello from the quarkus-app layout; " + resource("standin-dependency.txt") + "; "
            + resource("standin-generated.txt") + "; log manager "
            + java.util.logging.LogManager.getLogManager().getClass().getName() + "\n";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = Server.class.getResourceAsStream("/" + name)) {
            return in == null ? name + " missing" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
