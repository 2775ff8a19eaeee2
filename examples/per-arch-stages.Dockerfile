# One stage per architecture, picked with FROM base_${TARGETARCH} (automatic global arg, no ARG needed).
ARG S6_OVERLAY_VERSION=3.2.0.0

FROM alpine:3.20 AS base_amd64
ARG S6_OVERLAY_VERSION
RUN apk add --no-cache xz && \
    wget -qO /tmp/s6-arch.tar.xz \
        "https://github.com/just-containers/s6-overlay/releases/download/v${S6_OVERLAY_VERSION}/s6-overlay-x86_64.tar.xz" && \
    tar -C / -Jxpf /tmp/s6-arch.tar.xz && \
    rm /tmp/s6-arch.tar.xz

FROM alpine:3.20 AS base_arm64
ARG S6_OVERLAY_VERSION
RUN apk add --no-cache xz && \
    wget -qO /tmp/s6-arch.tar.xz \
        "https://github.com/just-containers/s6-overlay/releases/download/v${S6_OVERLAY_VERSION}/s6-overlay-aarch64.tar.xz" && \
    tar -C / -Jxpf /tmp/s6-arch.tar.xz && \
    rm /tmp/s6-arch.tar.xz

FROM base_${TARGETARCH} AS final
ARG S6_OVERLAY_VERSION
RUN wget -qO /tmp/s6-noarch.tar.xz \
        "https://github.com/just-containers/s6-overlay/releases/download/v${S6_OVERLAY_VERSION}/s6-overlay-noarch.tar.xz" && \
    tar -C / -Jxpf /tmp/s6-noarch.tar.xz && \
    rm /tmp/s6-noarch.tar.xz && \
    apk add --no-cache nginx
COPY rootfs/ /
EXPOSE 80
ENTRYPOINT ["/init"]
