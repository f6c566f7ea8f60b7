/** @type {import('next').NextConfig} */
module.exports = {
  // Trace exactly what the server needs into .next/standalone: the image then needs no node_modules install.
  output: "standalone",
};
