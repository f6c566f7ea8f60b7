import express from "express";
import { greeting } from "./greeting";

const app = express();
const port = Number(process.env.PORT ?? 3000);

app.get("/", (_req, res) => {
  res.send(greeting("node-server"));
});

app.get("/healthz", (_req, res) => {
  res.json({ ok: true, uid: process.getuid?.() });
});

app.listen(port, () => {
  console.log(`listening on ${port}`);
});
