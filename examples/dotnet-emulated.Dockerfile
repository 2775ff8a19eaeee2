# ASP.NET Core app restored and published in an SDK stage on the target platform (emulated).
FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
WORKDIR /src

COPY Inventory.Api/Inventory.Api.csproj Inventory.Api/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet restore Inventory.Api/Inventory.Api.csproj

COPY . .
WORKDIR /src/Inventory.Api
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish -c Release -o /app --no-restore \
        /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:8.0
WORKDIR /app
COPY --from=build /app .
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "Inventory.Api.dll"]
