using Karpenter.Orleans.Cli.Output;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>Prints a list, or one object, of a <see cref="FleetListing{T}"/> in the format the user chose.</summary>
internal static class FleetPrinter
{
    public static void List<T>(FleetListing<T> listing, IReadOnlyList<T> items, OutputStyle style, DateTimeOffset now, TextWriter writer)
    {
        switch (style.Format)
        {
            case FleetOutput.Json:
                writer.WriteLine(FleetJson.Write(items));
                return;
            case FleetOutput.Yaml:
                writer.WriteLine(FleetYaml.Write(items));
                return;
            case FleetOutput.Name:
                foreach (var item in listing.Sort(items))
                {
                    writer.WriteLine(listing.QualifiedName(item));
                }

                return;
        }

        if (items.Count == 0)
        {
            // Scripts reading rows get nothing rather than a sentence to skip.
            if (!style.NoHeaders)
            {
                writer.WriteLine(listing.Empty());
            }

            return;
        }

        var table = new TableWriter(listing.HeaderRow(style.Wide));
        foreach (var item in listing.Sort(items))
        {
            table.AddRow(listing.Row(item, now, style.Wide));
        }

        table.Write(writer, headers: !style.NoHeaders);
        if (!style.NoHeaders)
        {
            var summary = listing.Summary(items).ToList();
            if (summary.Count > 0)
            {
                writer.WriteLine();
                foreach (var line in summary)
                {
                    writer.WriteLine(line);
                }
            }
        }
    }

    /// <summary>One object (a get): JSON and YAML print the object itself, not a one-item list.</summary>
    public static void One<T>(FleetListing<T> listing, T item, OutputStyle style, DateTimeOffset now, TextWriter writer)
    {
        switch (style.Format)
        {
            case FleetOutput.Json:
                writer.WriteLine(FleetJson.Write(item));
                break;
            case FleetOutput.Yaml:
                writer.WriteLine(FleetYaml.Write(item));
                break;
            default:
                List(listing, [item], style, now, writer);
                break;
        }
    }

    /// <summary>A view that is not a list of named objects (capacity, cost, explain): JSON, YAML or its table.</summary>
    public static void View<T>(T value, OutputStyle style, Action table, TextWriter writer)
    {
        switch (style.Format)
        {
            case FleetOutput.Json:
                writer.WriteLine(FleetJson.Write(value));
                break;
            case FleetOutput.Yaml:
                writer.WriteLine(FleetYaml.Write(value));
                break;
            default:
                table();
                break;
        }
    }
}
