using Karpenter.Orleans.Silo.Console.Components;
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
            .ValidateOnStart();
        builder.Services.AddRazorComponents();
        builder.Services.AddSingleton<FleetHistory>();
        builder.Services.AddSingleton<FleetHistorySampler>();
        if (builder.Configuration.GetValue($"{ConsoleOptions.Section}:{nameof(ConsoleOptions.Enabled)}", true))
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<FleetHistorySampler>());
        }
    }

    /// <summary>Maps the console's pages, its sign-in and sign-out, behind the console's cookie gate.</summary>
    public static void MapKarpoConsole(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value.Enabled)
        {
            return;
        }

        app.Use((context, next) => ConsoleSession.GateAsync(context, () => next(context)));
        app.UseAntiforgery();
        app.MapRazorComponents<ConsoleApp>().ExcludeFromDescription();
        app.MapPost(ConsoleSession.LogoutPath, (HttpContext context, IFormCollection form) =>
        {
            // Reading the form makes the antiforgery check apply: no other site can sign a user out.
            _ = form;
            ConsoleSession.SignOut(context);
            return Results.Redirect(ConsoleSession.LoginPath);
        }).ExcludeFromDescription();
    }
}
