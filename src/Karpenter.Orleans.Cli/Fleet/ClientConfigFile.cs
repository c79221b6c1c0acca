using System.Text.Json;
using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// The client config with contexts, kubectl-style:
/// <code>
/// { "server": "...", "token": "...", "adminToken": "...",          // the "default" context (what the silo writes)
///   "currentContext": "prod",
///   "contexts": [ { "name": "prod", "server": "https://...", "token": "...", "adminToken": "..." } ] }
/// </code>
/// A file with only the top-level fields, the format before contexts, reads as one context named <c>default</c>.
/// Fields karpo does not know are kept when it writes the file back.
/// </summary>
internal sealed class ClientConfigFile
{
    private const string ContextsField = "contexts";
    private const string CurrentField = "currentContext";

    private readonly JsonObject _root;

    private ClientConfigFile(string path, JsonObject root)
    {
        Path = path;
        _root = root;
    }

    public string Path { get; }

    /// <summary>The default context first (when the file has a top-level server or token), then the named ones in file order.</summary>
    public IReadOnlyList<KarpoContext> Contexts
    {
        get
        {
            var contexts = new List<KarpoContext>();
            if (Default() is { } legacy)
            {
                contexts.Add(legacy);
            }

            if (_root[ContextsField] is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    contexts.Add(Named(array[i], i));
                }
            }

            return contexts;
        }
    }

    /// <summary>The current context's name: <c>currentContext</c>, else <c>default</c> when the file has it, else null.</summary>
    public string? CurrentContext =>
        String(_root, CurrentField, CurrentField) is { Length: > 0 } current ? current
        : Default() is not null ? KarpoContext.DefaultName
        : null;

    /// <summary>The file at <paramref name="path"/>; an empty config when there is none.</summary>
    public static ClientConfigFile Read(string path)
    {
        if (!File.Exists(path))
        {
            return new ClientConfigFile(path, []);
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) is JsonObject root
                ? new ClientConfigFile(path, root)
                : throw new FleetException($"the config file {path} is not a JSON object");
        }
        catch (JsonException ex)
        {
            // JsonException messages give the position, not the text, so no token leaks into the message.
            throw new FleetException($"the config file {path} is not valid JSON: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetException($"cannot read the config file {path}: {ex.Message}");
        }
    }

    public KarpoContext? Find(string name) => Contexts.FirstOrDefault(c => c.Name == name);

    /// <summary>The context to use: <paramref name="name"/> (from <c>--context</c>) or the current one; null when the file has none.</summary>
    public KarpoContext? Select(string? name)
    {
        if (name is null)
        {
            return CurrentContext is { } current
                ? Find(current) ?? throw new FleetException($"the config file {Path} says currentContext is '{current}', but it has no such context ({Names()})")
                : null;
        }

        return Find(name) ?? throw new FleetException($"no context '{name}' in {Path} ({Names()}); add it with `karpo config set-context {name} --server URL --token TOKEN`");
    }

    /// <summary>Adds the context or changes the fields given (null leaves a field as it is).</summary>
    public void Set(string name, string? server, string? token, string? adminToken)
    {
        JsonObject target;
        if (name == KarpoContext.DefaultName)
        {
            target = _root;
        }
        else
        {
            if (_root[ContextsField] is not JsonArray array)
            {
                array = [];
                _root[ContextsField] = array;
            }

            target = array.OfType<JsonObject>().FirstOrDefault(c => c["name"] is JsonValue v && v.TryGetValue<string>(out var n) && n == name)
                ?? Add(array, name);
        }

        if (server is not null)
        {
            target["server"] = server;
        }

        if (token is not null)
        {
            target["token"] = token;
        }

        if (adminToken is not null)
        {
            target["adminToken"] = adminToken;
        }
    }

    public void Use(string name)
    {
        if (Find(name) is null)
        {
            throw new FleetException($"no context '{name}' in {Path} ({Names()})");
        }

        _root[CurrentField] = name;
    }

    /// <summary>Writes the file through a mode-600 temporary renamed over it: it holds tokens.</summary>
    public void Save()
    {
        var full = System.IO.Path.GetFullPath(Path);
        var directory = System.IO.Path.GetDirectoryName(full)!;
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var temporary = $"{full}.{Environment.ProcessId}.tmp";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var writer = new StreamWriter(temporary, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options))
            {
                writer.Write(_root.ToJsonString(FleetJson.Options));
                writer.Write('\n');
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetException($"cannot write the config file {Path}: {ex.Message}");
        }
    }

    private static JsonObject Add(JsonArray array, string name)
    {
        var context = new JsonObject { ["name"] = name };
        array.Add(context);
        return context;
    }

    private KarpoContext? Default()
    {
        var server = String(_root, "server", "server");
        var token = String(_root, "token", "token");
        var admin = String(_root, "adminToken", "adminToken");
        return server is null && token is null && admin is null ? null : new KarpoContext(KarpoContext.DefaultName, server, token, admin);
    }

    private KarpoContext Named(JsonNode? node, int index)
    {
        var where = $"{ContextsField}[{index}]";
        if (node is not JsonObject context)
        {
            throw new FleetException($"the config file {Path}: {where} is not an object");
        }

        var name = String(context, "name", $"{where}.name");
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new FleetException($"the config file {Path}: {where}.name is missing");
        }

        return new KarpoContext(name, String(context, "server", $"{where}.server"), String(context, "token", $"{where}.token"), String(context, "adminToken", $"{where}.adminToken"));
    }

    private string? String(JsonObject obj, string field, string where) => obj[field] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        // Never the value: it may be a token.
        _ => throw new FleetException($"the config file {Path}: {where} is not a string"),
    };

    private string Names() => Contexts.Count == 0 ? "it has no contexts" : "contexts: " + string.Join(", ", Contexts.Select(c => c.Name));
}
