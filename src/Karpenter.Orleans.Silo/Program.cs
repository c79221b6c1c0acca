using Karpenter.Orleans.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddKarpoService();

var app = builder.Build();
app.MapKarpoService();

app.Run();

/// <summary>The silo's entry point, public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
