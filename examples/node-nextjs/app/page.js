// Rendered on each request, so the check proves the server runs (not only static files).
export const dynamic = "force-dynamic";

export default function Page() {
  return <h1>hello from node-nextjs at {new Date().toISOString()}</h1>;
}
