using System.CommandLine;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// <c>karpo completion bash|zsh|pwsh</c>: a script that asks karpo itself for completions through System.CommandLine's
/// <c>[suggest:POSITION]</c> directive, so commands, options, <c>-o</c> formats and context names complete without
/// installing dotnet-suggest.
/// </summary>
internal static class CompletionCommand
{
    public const string Bash = "bash";
    public const string Zsh = "zsh";
    public const string PowerShell = "pwsh";

    public static Command Create(TextWriter stdout)
    {
        var shell = new Argument<string>("SHELL") { Description = "The shell: bash, zsh or pwsh." };
        shell.AcceptOnlyFromAmong(Bash, Zsh, PowerShell);
        var command = new Command(
            "completion",
            "Print the shell completion script. bash: `source <(karpo completion bash)`; zsh: `source <(karpo completion zsh)`; " +
            "pwsh: `karpo completion pwsh | Out-String | Invoke-Expression`. Add the line to your shell's profile to keep it.")
        {
            shell,
        };
        command.SetAction(parseResult => stdout.Write(Script(parseResult.GetValue(shell)!)));
        return command;
    }

    public static string Script(string shell) => shell switch
    {
        Bash => """
            # karpo completion for bash: source <(karpo completion bash)
            _karpo_complete() {
                local line="${COMP_LINE}" point="${COMP_POINT}"
                local IFS=$'\n'
                COMPREPLY=($(karpo "[suggest:${point}]" "${line}" 2>/dev/null))
            }
            complete -o default -F _karpo_complete karpo

            """,
        Zsh => """
            # karpo completion for zsh: source <(karpo completion zsh)
            autoload -U +X bashcompinit && bashcompinit
            _karpo_complete() {
                local line="${COMP_LINE}" point="${COMP_POINT}"
                local IFS=$'\n'
                COMPREPLY=($(karpo "[suggest:${point}]" "${line}" 2>/dev/null))
            }
            complete -o default -F _karpo_complete karpo

            """,
        _ => """
            # karpo completion for PowerShell: karpo completion pwsh | Out-String | Invoke-Expression
            Register-ArgumentCompleter -Native -CommandName karpo -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                karpo "[suggest:$cursorPosition]" "$commandAst" 2>$null | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }

            """,
    };
}
