"""A tiny FastAPI service managed with uv, used to try dockgen."""

from fastapi import FastAPI

app = FastAPI(title="python-uv-api")


@app.get("/")
def hello() -> dict[str, str]:
    return {"message": "hello from python-uv-api"}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
