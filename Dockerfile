# Build: a static binary with the migrations, templates, seed data and
# static assets embedded.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/parley ./cmd/server

# Run: no shell needed, no root.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/parley /parley
ENV ADDR=0.0.0.0:8080
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/parley"]
CMD ["serve"]
