using Karpenter.Orleans.Silo.Auth;
using Karpenter.Orleans.Silo.Console.Components;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Console;

/// <summary>Registers and maps the fleet web console (Blazor static server rendering at <c>/</c>).</summary>
internal static class ConsoleEndpoints
{
    public static void AddKarpoConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section)
            .Validate(o => o.RefreshSeconds is >= 0 and <= 3600, $"{ConsoleOptions.Section}:RefreshSeconds must be within 0..3600.")
            .Validate(o => o.HistoryInterval >= TimeSpan.FromSeconds(1), $"{ConsoleOptions.Section}:HistoryInterval must be at least 1 s.")
            .Validate(o => o.HistoryLength > TimeSpan.Zero, $"{ConsoleOptions.Section}:HistoryLength must be positive.")
            .Validate(o => o.SnapshotInterval >= TimeSpan.FromMilliseconds(100), $"{ConsoleOptions.Section}:SnapshotInterval must be at least 0.1 s.")
            .Validate(o => o.ClusterTimeout > TimeSpan.Zero, $"{ConsoleOptions.Section}:ClusterTimeout must be positive.")
            .Validate(o => o.StaleAfter > TimeSpan.Zero, $"{ConsoleOptions.Section}:StaleAfter must be positive.")
            .ValidateOnStart();
        builder.Services.AddRazorComponents();
        builder.Services.AddSingleton<FleetHistory>();
        builder.Services.AddSingleton<FleetHistorySampler>();

        // The snapshot is registered even with the console off: the fleet-wide API falls back to it (and, empty, waits as before).
        builder.Services.AddSingleton<FleetSnapshot>();
        builder.Services.AddSingleton<IFleetReader, GrainFleetReader>();
        builder.Services.AddSingleton<FleetSnapshotRefresher>();
        if (builder.Configuration.GetValue($"{ConsoleOptions.Section}:{nameof(ConsoleOptions.Enabled)}", true))
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<FleetSnapshotRefresher>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<FleetHistorySampler>());
        }
    }

    /// <summary>Maps the console's pages, its sign-in and sign-out; the pages and sign-out need <see cref="KarpoPolicies.Console"/>.</summary>
    public static void MapKarpoConsole(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value.Enabled)
        {
            return;
        }

        app.UseAntiforgery();
        // Every page needs the console policy; the sign-in page says [AllowAnonymous] itself.
        app.MapRazorComponents<ConsoleApp>().RequireAuthorization(KarpoPolicies.Console).ExcludeFromDescription();
        app.MapPost(ConsoleSession.LogoutPath, (HttpContext context) =>
        {
            // The form's antiforgery token must be valid: no other site can sign a user out.
            if (context.Features.Get<IAntiforgeryValidationFeature>() is not { IsValid: true })
            {
                return Results.BadRequest();
            }

            ConsoleSession.SignOut(context);
            return Results.Redirect(ConsoleSession.LoginPath);
        }).WithMetadata(new RequireAntiforgeryTokenAttribute()).RequireAuthorization(KarpoPolicies.Console).ExcludeFromDescription();
    }
}
