# Lua 5.4 (Debian's lua5.4 source: about 30,000 lines of C, make + gcc) built on the target platform:
# on an amd64 builder every RUN of the build stage runs emulated under QEMU for linux/arm64.
FROM 127.0.0.1:5000/xlint/gcc AS build
WORKDIR /src
COPY lua/ ./
RUN make -j"$(nproc)" linux MYLDFLAGS=-static && \
    mkdir -p /out/usr/local/bin && cp src/lua src/luac /out/usr/local/bin/

FROM 127.0.0.1:5000/xlint/busybox
COPY --from=build /out/usr/local/ /usr/local/
CMD ["lua", "-v"]
