# Rust service compiled with cargo in a stage on the target platform (every rustc run is emulated).
FROM rust:1.79 AS build
WORKDIR /src

COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked && \
    cp target/release/ledger-sync /usr/local/bin/ledger-sync

FROM debian:bookworm-slim
RUN apt-get update && \
    apt-get install -y --no-install-recommends ca-certificates && \
    rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/ledger-sync /usr/local/bin/ledger-sync
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/ledger-sync"]
