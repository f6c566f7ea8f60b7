"""A tiny FastAPI service used to try dockgen."""

from fastapi import FastAPI

app = FastAPI(title="python-fastapi")


@app.get("/")
def hello() -> dict[str, str]:
    return {"message": "hello from python-fastapi"}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
