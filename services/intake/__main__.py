from services.intake.app import create_app
from services.intake.config import load
from shared.serve import serve

if __name__ == "__main__":
    settings = load()
    serve("intake", create_app(settings), settings)
