from services.registry.app import create_app
from services.registry.config import load
from shared.serve import serve

if __name__ == "__main__":
    settings = load()
    serve("registry", create_app(settings), settings)
